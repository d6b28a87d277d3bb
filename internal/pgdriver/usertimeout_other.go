//go:build !linux

package pgdriver

import (
	"syscall"
	"time"
)

// userTimeout does nothing outside Linux, which alone has TCP_USER_TIMEOUT; keepalives and the
// context guard still apply.
func userTimeout(time.Duration) func(network, address string, c syscall.RawConn) error {
	return nil
}
