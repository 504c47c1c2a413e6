export { readLedger } from '../functions/shared/ledger-read';
