/**
 * Firehose's record format conversion, as the local run emulates it: the OCSF JSON documents the
 * transform returns, read with the OpenX JSON SerDe against the lake table's columns and written
 * as one Parquet object per delivery. Firehose Developer Guide, "Convert input data
 * format": it needs "a deserializer to read the JSON of your input data", "a schema to determine
 * how to interpret that data" (the Glue table) and "a serializer to convert the data to the
 * target columnar storage format"; "the converted data will not contain attributes that are not
 * specified in the schema". The emulation drops such attributes too, so a test that reads the
 * archive back sees what Firehose would have kept. The writer and reader themselves are
 * functions/shared/lake-parquet.ts, which the Security Lake writer uses too.
 */
export {
  ConversionError,
  convertible,
  documentsToParquet,
  parquetToDocuments,
  parseDocuments,
  type ParquetCodec,
} from '../functions/shared/lake-parquet';
