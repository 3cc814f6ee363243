package cfn

import "sync"

// The writers write into a buffer from a pool and return a copy of what
// they wrote, so that a render allocates its output once, at its size.
var buffers sync.Pool

func scratch() []byte {
	if b, ok := buffers.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 32<<10)
}

func release(b []byte) {
	if cap(b) <= 1<<20 { // keep no giant buffer alive
		buffers.Put(&b)
	}
}
