#include <curl/curl.h>

// curl_easy_setopt is variadic, which Swift cannot call: one typed entry per kind of option.
static inline CURLcode mayago_curl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode mayago_curl_set_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode mayago_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode mayago_curl_set_read_function(CURL *curl, size_t (*function)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, function);
}

static inline CURLcode mayago_curl_get_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode mayago_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline CURLcode mayago_curl_set_write_function(CURL *curl, size_t (*function)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, function);
}

static inline CURLcode mayago_curl_set_size(CURL *curl, CURLoption option, long long value) {
    return curl_easy_setopt(curl, option, (curl_off_t)value);
}

// Called with each address libcurl is about to connect to, redirects included: the place to refuse one.
static inline CURLcode mayago_curl_set_open_socket_function(CURL *curl, curl_socket_t (*function)(void *, curlsocktype, struct curl_sockaddr *)) {
    return curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, function);
}

// The socket address libcurl hands the open-socket function, whatever its family (the storage is large enough for IPv6).
static inline const struct sockaddr *mayago_curl_sockaddr(const struct curl_sockaddr *address) {
    return &address->addr;
}
