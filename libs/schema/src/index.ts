/** Placeholder until the library lands. */
export const packageName = '@sitewatch/schema';
