/** The stability matrix workbook's sheets, by name. */
export const MATRIX_SHEET = 'Matrix';
/** The history itself: one row per run and cell (every other sheet is drawn from it). */
export const HISTORY_SHEET = 'Results';
export const REJECTED_SHEET = 'Rejected';
// Excel reserves the name "History".
export const GRID_SHEET = 'Run history';
export const FLAKY_SHEET = 'Flaky checks';
export const KNOWN_SHEET = 'Known failures';
export const CLUSTERS_SHEET = 'Failure clusters';
export const PACKAGES_SHEET = 'Packages';
