// A photo in the sizes the API made of it: WebP where the browser takes it, JPEG otherwise.
import { h } from "../dom.js";

export function picture(links, alt, sizes = "100vw") {
  if (!links) return h("img", { alt: "", src: "/icons/icon.svg", class: "placeholder" });
  return h("picture", {},
    h("source", { type: "image/webp", srcset: links.webpSrcset, sizes }),
    h("img", { alt, src: links.url, srcset: links.jpegSrcset, sizes, loading: "lazy", decoding: "async" }));
}
