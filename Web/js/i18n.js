// The app's words in English and Spanish; the choice is kept in the browser and applied at once.
const words = {
  en: {
    skip: "Skip to content", explore: "Explore", signIn: "Sign in", signOut: "Sign out", language: "Language",
    searchLabel: "Where to, what to do?", search: "Search", noResults: "Nothing found. Try other words.",
    from: "from", minutes: "min", reviews: "reviews", email: "Email", password: "Password", code: "Two-factor code (if on)",
    wrongSignIn: "The email or password is incorrect.", verified: "Your email is confirmed. You can sign in.",
    badLink: "This link is invalid or has expired.", newPassword: "New password", savePassword: "Save the password",
    passwordSaved: "Your password is changed. Sign in with it.", notFound: "There is no such page.", offline: "You are offline.",
    photosOf: "Photos of", by: "by",
  },
  es: {
    skip: "Saltar al contenido", explore: "Explorar", signIn: "Iniciar sesión", signOut: "Cerrar sesión", language: "Idioma",
    searchLabel: "¿A dónde, qué hacer?", search: "Buscar", noResults: "No encontramos nada. Prueba otras palabras.",
    from: "desde", minutes: "min", reviews: "reseñas", email: "Correo", password: "Contraseña", code: "Código de dos pasos (si está activo)",
    wrongSignIn: "El correo o la contraseña no son correctos.", verified: "Tu correo está confirmado. Ya puedes iniciar sesión.",
    badLink: "Este enlace no es válido o ya venció.", newPassword: "Nueva contraseña", savePassword: "Guardar la contraseña",
    passwordSaved: "Tu contraseña cambió. Inicia sesión con ella.", notFound: "No existe esa página.", offline: "Estás sin conexión.",
    photosOf: "Fotos de", by: "de",
  },
};

export let language = localStorage.getItem("language") ?? (navigator.language.startsWith("es") ? "es" : "en");

export function t(key) {
  return words[language][key] ?? words.en[key] ?? key;
}

export function setLanguage(next) {
  language = next in words ? next : "en";
  localStorage.setItem("language", language);
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = t(element.dataset.text);
}

/// An amount in minor units with its currency, the way the reader's language writes it.
export function money({ amount, currency }) {
  return new Intl.NumberFormat(language === "es" ? "es-MX" : "en-US", { style: "currency", currency }).format(amount / 100);
}
