// FHIR R4 search: index on write, parse once, plan to SQL, execute, format links; the folder's public surface.
export type {
  SearchRequest, SearchFilter, SearchValue, SearchParamDef, SortRule, IncludeRule, ParamType, Prefix, Modifier, SummaryMode, TotalMode,
} from './types.ts';
export { searchMigrations } from './migrations.ts';
export { getSearchParameters } from './registry.ts';
export { writeSearchIndex, writeSearchIndexBatch, deleteSearchIndex, prepareSearchIndex, type PreparedIndex } from './write.ts';
export { parseSearchRequest } from './parse.ts';
export { executeSearch } from './execute.ts';
export { findMatchingIds } from './find.ts';
export { matchesSearchRequest } from './match.ts';
export { formatSearchUrl } from './format.ts';
export { everything } from './everything.ts';
