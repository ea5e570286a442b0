package web

import (
	"testing"

	"github.com/e-people/e-people/forum/store/storetest"
)

// TestMain stops the PostgreSQL and NATS servers the tests started, if any.
func TestMain(m *testing.M) { storetest.Main(m) }
