package models_test

import (
	"testing"

	_ "github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/registry"
)

// TestModelsAreValid is the catch for every team's declarations: the
// models register themselves with registry.Add, which never fails, and
// this test fails the build on the first bad tag, conflict or invalid
// option among them, before any binary runs with it. No server is needed.
func TestModelsAreValid(t *testing.T) {
	if err := odm.Validate(registry.All()); err != nil {
		t.Fatal(err)
	}
	if registry.Default.Len() == 0 {
		t.Fatal("no model registered: the models package registers none")
	}
}
