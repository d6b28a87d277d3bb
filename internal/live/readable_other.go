//go:build !unix

package live

// readable makes awaitInput return at once where sockets cannot be peeked at: the read that
// follows waits instead.
func readable(uintptr) bool { return true }
