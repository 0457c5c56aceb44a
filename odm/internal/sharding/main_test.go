package sharding_test

import (
	"testing"

	"github.com/tagodm/tagodm/internal/testrig"
)

func TestMain(m *testing.M) { testrig.Main(m) }
