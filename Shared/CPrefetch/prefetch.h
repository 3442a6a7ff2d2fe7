// Asks the processor to start reading the cache line at `address` for a later read: Swift has no way of its own.
static inline void mayago_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}
