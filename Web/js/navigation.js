// Moving between pages without reloading: the router registers itself here, pages call `go`.
let router = () => {};

export function setRouter(route) {
  router = route;
}

export function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  return router();
}
