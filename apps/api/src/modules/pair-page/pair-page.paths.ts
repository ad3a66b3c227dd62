// Where the /pair page and its assets live; the controller routes and the HTML links share these.
export const PAIR_PAGE_PATHS = {
  page: '/pair',
  script: '/pair/pair.js',
  stylesheet: '/pair/pair.css',
} as const;
