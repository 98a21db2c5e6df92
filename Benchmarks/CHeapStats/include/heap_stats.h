#ifndef ROTOR_HEAP_STATS_H
#define ROTOR_HEAP_STATS_H
#include <stddef.h>

/// Bytes of heap the process has allocated and not freed (glibc mallinfo2), or 0 where unknown.
size_t rotor_heap_in_use(void);

#endif
