// The app's words in English and Spanish; the choice is kept in the browser and applied at once. Amounts carry
// their currency; times are shown in the experience's time zone when one is given.
const en = {
  skip: "Skip to content", explore: "Explore", signIn: "Sign in", signOut: "Sign out", signUp: "Sign up", language: "Language",
  searchLabel: "Where to, what to do?", search: "Search", suggestions: "Suggestions", noResults: "Nothing found. Try other words.",
  results: "results", loading: "Loading…", filters: "Filters", category: "Category", anyCategory: "Any category", maxPrice: "Most per person",
  date: "Date", guests: "Guests", guestsShort: "guests", sortBy: "Sort by", nearMe: "Near me (50 km)", from: "from", perPerson: "per person",
  title: "Title", tag: "Tag", city: "City", nature: "Nature", food: "Food", culture: "Culture", adventure: "Adventure", wellness: "Wellness",
  "sort.relevance": "Best match", "sort.price": "Lowest price", "sort.-price": "Highest price", "sort.rating": "Best rated", "sort.distance": "Nearest",
  reviews: "reviews", reviewsTitle: "Reviews", noReviews: "No reviews yet.", reviewPhoto: "A traveler's photo", providerReply: "The provider's reply",
  photosOf: "Photos of", aboutProvider: "About the provider", book: "Book", chooseTime: "Choose a time", noSlots: "No open dates in the next 30 days.",
  left: "left", upTo: "Up to", total: "Total", instantBook: "Instant booking", requestToBook: "The provider confirms each request",
  "policy.flexible": "Flexible: full refund up to 24 h before", "policy.moderate": "Moderate: full refund up to 5 days before, half after",
  "policy.strict": "Strict: half back up to 7 days before, nothing after", messageProvider: "Message the provider", edit: "Edit",
  memberSince: "Member since", responseRate: "Answers", experiences: "Experiences",
  email: "Email", password: "Password", code: "Two-factor code", enterCode: "Enter the code from your authenticator app.", name: "Name",
  wrongSignIn: "The email or password is incorrect.", forgotPassword: "Forgot your password?", sendLink: "Send me a link",
  passwordHint: "At least 10 characters; not a common password, your name or your email.", iAm: "I want to",
  "role.traveler": "Book experiences", "role.provider": "Offer experiences", "role.admin": "Admin", role: "Role",
  checkMail: "Check your mail", checkMailText: "We sent a link to confirm your address. Open it, then sign in.",
  resetMailText: "If the address has an account, a link to choose a new password is on its way.",
  verified: "Your email is confirmed. You can sign in.", emailChanged: "Your new email address is confirmed.",
  badLink: "This link is invalid or has expired.", newPassword: "New password", savePassword: "Save the password",
  passwordSaved: "Your password is changed. Sign in with it.", notFound: "There is no such page.", notAllowed: "This page is not for your account.",
  offline: "You are offline.", offlineText: "What this page needs is not saved on this device. Try again when you are online.", failed: "Something went wrong.",
  myBookings: "My bookings", noBookings: "No bookings yet.", booking: "Booking", when: "When", refunded: "Refunded",
  "status.pending_payment": "Waiting for payment", "status.awaiting_provider": "Waiting for the provider", "status.confirmed": "Confirmed",
  "status.completed": "Completed", "status.declined": "Declined", "status.cancelled_by_traveler": "Cancelled by the traveler",
  "status.cancelled_by_provider": "Cancelled by the provider", "status.expired": "Expired",
  pay: "Pay", toPay: "To pay", cardNumber: "Card number", testCards: "Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.",
  expiry: "Expiry (MM/YY)", cvc: "Security code", declined: "The card was declined.", paymentNotReady: "The payment is not ready yet; reload in a moment.",
  cancelBooking: "Cancel the booking", refundWillBe: "If you cancel now, you get back", of: "of", confirmCancel: "Cancel and refund",
  keepBooking: "Keep the booking", writeReview: "Review your experience", rating: "Rating", comment: "Comment", send: "Send",
  thanksForReview: "Thank you for your review.",
  messages: "Messages", noConversations: "No conversations yet.", unread: "unread", writeMessage: "Write a message", isTyping: "is typing…",
  attach: "Attach", attachFile: "a picture, PDF or text file, up to 10 MB", attachment: "Attachment",
  readAt: "Read", online: "Online", inbox: "Notifications", noNotifications: "Nothing new.",
  account: "Account", preferences: "Preferences", timeZone: "Time zone", channels: "How we tell you", notice: "Notice", save: "Save", saved: "Saved.",
  "channel.email": "Email", "channel.push": "Push", "channel.in_app": "In the app",
  "type.booking.confirmed": "Booking confirmed", "type.booking.received": "New booking (providers)", "type.booking.cancelled": "Booking cancelled",
  "type.booking.reminder": "Reminder", "type.booking.review_request": "Review request", "type.payment.receipt": "Receipt",
  "type.messaging.new_message": "New message",
  hosting: "Hosting", newExperience: "New experience", myExperiences: "My experiences", noExperiences: "No experiences yet.",
  incomingBookings: "Bookings of my experiences", accept: "Accept", decline: "Decline", payouts: "Payouts", balance: "Balance",
  setUpPayouts: "Set up payouts", calendarFeed: "Calendar feed", calendarFeedText: "Subscribe to this secret address in your calendar app.",
  "experienceStatus.draft": "Draft", "experienceStatus.published": "Published", "experienceStatus.archived": "Archived",
  experience: "Experience", description: "Description", where: "Where", latitude: "Latitude", longitude: "Longitude", country: "Country (ISO code)",
  durationMinutes: "Duration (minutes)", pricePerPerson: "Price per person", major: "in units, e.g. 850.00", currency: "Currency",
  maxGuests: "Most guests per booking", bookingMode: "Booking", cancellationPolicy: "Cancellation policy", languages: "Languages",
  createExperience: "Create the experience", weeklySchedule: "Weekly schedule", weekdays: "Days", startTimes: "Start times", until: "Until",
  capacity: "Seats per time", addSchedule: "Add the schedule", chooseWeekdays: "Choose at least one day.", slotsCreated: "dates opened",
  statusLabel: "Status", publish: "Publish", archive: "Archive", viewListing: "See the listing", openSlots: "open dates in the next 30 days",
  admin: "Admin", users: "Users", enable: "Enable", disable: "Disable", ledger: "Ledger", ledgerBalanced: "The ledger balances",
  ledgerUnbalanced: "Unbalanced transactions", postings: "postings", charged: "charged", commission: "commission", refund: "Refund",
  paymentId: "Payment id", amountMinor: "Amount (minor units)", audit: "Audit log", minutes: "min", hours: "h",
  oneDate: "One more date", time: "Time", addDate: "Add the date", openDates: "Open dates",
  cancelDateText: "Cancelling a date cancels its bookings as yours: each traveler gets everything back and is told.",
  cancelDate: "Cancel this date", reply: "Your reply", remove: "Remove", importCalendar: "Import a calendar (its busy times block your dates)", add: "Add",
  profile: "Profile", yourAvatar: "Your picture", avatar: "Picture", avatarHint: "JPEG, PNG, WebP or HEIC, at most 5 MiB.", bio: "About you",
  avatarProcessing: "Saved; your picture shows in a moment.", yourData: "Your data", exportData: "Email me a copy of my data",
  exportAsked: "We are gathering your data and will email you a link to it.", deleteAccount: "Delete my account",
  deleteAccountText: "After a grace period your personal data is erased everywhere; bookings and payments stay, without your name, as the law requires.",
  bankAsks: "Your bank asks you to confirm this payment (3-D Secure).", approve: "Confirm the payment", refuse: "Refuse",
  deletionAsked: "Your account will be deleted", deletionAskedText: "We sent you an email; sign in again before the grace period ends to keep it.",
};

const es = {
  skip: "Saltar al contenido", explore: "Explorar", signIn: "Iniciar sesión", signOut: "Cerrar sesión", signUp: "Crear cuenta", language: "Idioma",
  searchLabel: "¿A dónde, qué hacer?", search: "Buscar", suggestions: "Sugerencias", noResults: "No encontramos nada. Prueba otras palabras.",
  results: "resultados", loading: "Cargando…", filters: "Filtros", category: "Categoría", anyCategory: "Cualquier categoría", maxPrice: "Máximo por persona",
  date: "Fecha", guests: "Personas", guestsShort: "personas", sortBy: "Ordenar por", nearMe: "Cerca de mí (50 km)", from: "desde", perPerson: "por persona",
  title: "Título", tag: "Etiqueta", city: "Ciudad", nature: "Naturaleza", food: "Comida", culture: "Cultura", adventure: "Aventura", wellness: "Bienestar",
  "sort.relevance": "Más relevantes", "sort.price": "Precio más bajo", "sort.-price": "Precio más alto", "sort.rating": "Mejor valoradas", "sort.distance": "Más cercanas",
  reviews: "reseñas", reviewsTitle: "Reseñas", noReviews: "Aún no hay reseñas.", reviewPhoto: "Foto de un viajero", providerReply: "Respuesta del anfitrión",
  photosOf: "Fotos de", aboutProvider: "Sobre el anfitrión", book: "Reservar", chooseTime: "Elige un horario", noSlots: "No hay fechas libres en los próximos 30 días.",
  left: "libres", upTo: "Hasta", total: "Total", instantBook: "Reserva inmediata", requestToBook: "El anfitrión confirma cada solicitud",
  "policy.flexible": "Flexible: reembolso total hasta 24 h antes", "policy.moderate": "Moderada: reembolso total hasta 5 días antes, la mitad después",
  "policy.strict": "Estricta: la mitad hasta 7 días antes, nada después", messageProvider: "Escribir al anfitrión", edit: "Editar",
  memberSince: "Miembro desde", responseRate: "Responde", experiences: "Experiencias",
  email: "Correo", password: "Contraseña", code: "Código de dos pasos", enterCode: "Escribe el código de tu app de autenticación.", name: "Nombre",
  wrongSignIn: "El correo o la contraseña no son correctos.", forgotPassword: "¿Olvidaste tu contraseña?", sendLink: "Envíame un enlace",
  passwordHint: "Al menos 10 caracteres; ni una contraseña común, ni tu nombre ni tu correo.", iAm: "Quiero",
  "role.traveler": "Reservar experiencias", "role.provider": "Ofrecer experiencias", "role.admin": "Administración", role: "Rol",
  checkMail: "Revisa tu correo", checkMailText: "Te enviamos un enlace para confirmar tu dirección. Ábrelo y luego inicia sesión.",
  resetMailText: "Si la dirección tiene cuenta, va en camino un enlace para elegir otra contraseña.",
  verified: "Tu correo está confirmado. Ya puedes iniciar sesión.", emailChanged: "Tu nuevo correo está confirmado.",
  badLink: "Este enlace no es válido o ya venció.", newPassword: "Nueva contraseña", savePassword: "Guardar la contraseña",
  passwordSaved: "Tu contraseña cambió. Inicia sesión con ella.", notFound: "No existe esa página.", notAllowed: "Esta página no es para tu cuenta.",
  offline: "Estás sin conexión.", offlineText: "Lo que necesita esta página no está guardado en este dispositivo. Inténtalo con conexión.", failed: "Algo salió mal.",
  myBookings: "Mis reservas", noBookings: "Aún no hay reservas.", booking: "Reserva", when: "Cuándo", refunded: "Reembolsado",
  "status.pending_payment": "Esperando el pago", "status.awaiting_provider": "Esperando al anfitrión", "status.confirmed": "Confirmada",
  "status.completed": "Realizada", "status.declined": "Rechazada", "status.cancelled_by_traveler": "Cancelada por el viajero",
  "status.cancelled_by_provider": "Cancelada por el anfitrión", "status.expired": "Vencida",
  pay: "Pagar", toPay: "A pagar", cardNumber: "Número de tarjeta", testCards: "Tarjetas de prueba: 4242 4242 4242 4242 paga, 4000 0000 0000 0002 es rechazada.",
  expiry: "Vencimiento (MM/AA)", cvc: "Código de seguridad", declined: "La tarjeta fue rechazada.", paymentNotReady: "El pago aún no está listo; recarga en un momento.",
  cancelBooking: "Cancelar la reserva", refundWillBe: "Si cancelas ahora, recibes", of: "de", confirmCancel: "Cancelar y reembolsar",
  keepBooking: "Conservar la reserva", writeReview: "Reseña tu experiencia", rating: "Calificación", comment: "Comentario", send: "Enviar",
  thanksForReview: "Gracias por tu reseña.",
  messages: "Mensajes", noConversations: "Aún no hay conversaciones.", unread: "sin leer", writeMessage: "Escribe un mensaje", isTyping: "está escribiendo…",
  attach: "Adjuntar", attachFile: "una imagen, un PDF o un texto, hasta 10 MB", attachment: "Adjunto",
  readAt: "Leído", online: "En línea", inbox: "Avisos", noNotifications: "Nada nuevo.",
  account: "Cuenta", preferences: "Preferencias", timeZone: "Zona horaria", channels: "Cómo te avisamos", notice: "Aviso", save: "Guardar", saved: "Guardado.",
  "channel.email": "Correo", "channel.push": "Push", "channel.in_app": "En la app",
  "type.booking.confirmed": "Reserva confirmada", "type.booking.received": "Nueva reserva (anfitriones)", "type.booking.cancelled": "Reserva cancelada",
  "type.booking.reminder": "Recordatorio", "type.booking.review_request": "Pedido de reseña", "type.payment.receipt": "Recibo",
  "type.messaging.new_message": "Mensaje nuevo",
  hosting: "Anfitrión", newExperience: "Nueva experiencia", myExperiences: "Mis experiencias", noExperiences: "Aún no hay experiencias.",
  incomingBookings: "Reservas de mis experiencias", accept: "Aceptar", decline: "Rechazar", payouts: "Pagos", balance: "Saldo",
  setUpPayouts: "Configurar pagos", calendarFeed: "Calendario", calendarFeedText: "Suscríbete a esta dirección secreta en tu app de calendario.",
  "experienceStatus.draft": "Borrador", "experienceStatus.published": "Publicada", "experienceStatus.archived": "Archivada",
  experience: "Experiencia", description: "Descripción", where: "Dónde", latitude: "Latitud", longitude: "Longitud", country: "País (código ISO)",
  durationMinutes: "Duración (minutos)", pricePerPerson: "Precio por persona", major: "en unidades, p. ej. 850.00", currency: "Moneda",
  maxGuests: "Máximo de personas por reserva", bookingMode: "Reserva", cancellationPolicy: "Política de cancelación", languages: "Idiomas",
  createExperience: "Crear la experiencia", weeklySchedule: "Horario semanal", weekdays: "Días", startTimes: "Horas de inicio", until: "Hasta",
  capacity: "Lugares por horario", addSchedule: "Agregar el horario", chooseWeekdays: "Elige al menos un día.", slotsCreated: "fechas abiertas",
  statusLabel: "Estado", publish: "Publicar", archive: "Archivar", viewListing: "Ver la publicación", openSlots: "fechas libres en los próximos 30 días",
  admin: "Administración", users: "Usuarios", enable: "Habilitar", disable: "Deshabilitar", ledger: "Libro contable", ledgerBalanced: "El libro cuadra",
  ledgerUnbalanced: "Transacciones descuadradas", postings: "asientos", charged: "cobrado", commission: "comisión", refund: "Reembolso",
  paymentId: "Id del pago", amountMinor: "Monto (centavos)", audit: "Registro de auditoría", minutes: "min", hours: "h",
  oneDate: "Una fecha más", time: "Hora", addDate: "Agregar la fecha", openDates: "Fechas abiertas",
  cancelDateText: "Cancelar una fecha cancela sus reservas por tu parte: cada viajero recibe todo de vuelta y se le avisa.",
  cancelDate: "Cancelar esta fecha", reply: "Tu respuesta", remove: "Quitar", importCalendar: "Importar un calendario (sus horas ocupadas bloquean tus fechas)", add: "Agregar",
  profile: "Perfil", yourAvatar: "Tu foto", avatar: "Foto", avatarHint: "JPEG, PNG, WebP o HEIC, hasta 5 MiB.", bio: "Sobre ti",
  avatarProcessing: "Guardado; tu foto aparece en un momento.", yourData: "Tus datos", exportData: "Envíame una copia de mis datos",
  exportAsked: "Estamos reuniendo tus datos y te enviaremos un enlace por correo.", deleteAccount: "Eliminar mi cuenta",
  deleteAccountText: "Tras un periodo de gracia tus datos personales se borran en todas partes; reservas y pagos quedan, sin tu nombre, como exige la ley.",
  bankAsks: "Tu banco pide que confirmes este pago (3-D Secure).", approve: "Confirmar el pago", refuse: "Rechazar",
  deletionAsked: "Tu cuenta será eliminada", deletionAskedText: "Te enviamos un correo; inicia sesión antes de que termine el periodo de gracia para conservarla.",
};

export const words = { en, es };

export let language = localStorage.getItem("language") ?? (navigator.language.startsWith("es") ? "es" : "en");

const locale = () => (language === "es" ? "es-MX" : "en-US");

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
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(amount / 100);
}

/// A moment as the reader reads it, in `timeZone` (the experience's) when given, else the browser's.
export function dateTime(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

export function date(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { weekday: "short", day: "numeric", month: "short", timeZone }).format(new Date(iso));
}

export function time(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { timeStyle: "short", timeZone }).format(new Date(iso));
}

export function duration(minutes) {
  return minutes < 120 ? `${minutes} ${t("minutes")}` : `${Math.round((minutes / 60) * 10) / 10} ${t("hours")}`;
}

/// The instant at which the wall clock of `timeZone` reads `day` (`2026-12-24`) and `clock` (`09:30`): what a
/// provider types is local to the experience, wherever their browser is.
export function instantIn(timeZone, day, clock) {
  const [year, month, date] = day.split("-").map(Number);
  const [hour, minute] = clock.split(":").map(Number);
  const wanted = Date.UTC(year, month - 1, date, hour, minute);
  const parts = (instant) => Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
  }).formatToParts(instant).map(({ type, value }) => [type, Number(value)]));
  let guess = wanted;
  // Twice: the zone's offset at the first guess may differ from the one at the answer across a change of time.
  for (let round = 0; round < 2; round++) {
    const seen = parts(new Date(guess));
    guess += wanted - Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute);
  }
  return new Date(guess).toISOString();
}
