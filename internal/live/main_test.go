package live_test

import (
	"testing"

	"github.com/vitrinehq/vitrine/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
