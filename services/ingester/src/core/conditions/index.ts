export { classify, conditionTable, REASON_EFFECT, REASON_PRIORITY, type Classified, type ConditionTable } from './eligibility.js';
export { ALPACA_TABLES, alpacaEligibility } from './alpaca.js';
export { POLYGON_TABLE, polygonEligibility } from './polygon.js';
export { FINNHUB_TABLE, finnhubEligibility } from './finnhub.js';
