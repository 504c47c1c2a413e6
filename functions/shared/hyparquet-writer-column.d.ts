/**
 * hyparquet-writer's column writer, which its package exports (`./src/*.js`, typed by
 * `./types/*.d.ts`) but which the project's module resolution (tsconfig `node`, no `exports`)
 * finds no types for: security-lake-parquet.ts shreds rows itself and hands each leaf column to it.
 */
declare module 'hyparquet-writer/src/column.js' {
  export { writeColumn } from 'hyparquet-writer/types/column';
}
