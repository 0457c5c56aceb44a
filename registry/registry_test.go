package registry_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
	"github.com/tagodm/tagodm/registry"
)

type order struct {
	OrderID string `bson:"order_id" odm:"uniqueIndex"`
}

func (order) CollectionName() string { return "orders" }

type invoice struct {
	Number string `bson:"number" odm:"index"`
}

type orderView struct { // a second model on "orders", in agreement
	OrderID string `bson:"order_id" odm:"uniqueIndex"`
	Total   int    `bson:"total"`
}

func (orderView) CollectionName() string { return "orders" }

type orderConflict struct { // a second model on "orders", in conflict
	OrderID string `bson:"order_id" odm:"index"`
}

func (orderConflict) CollectionName() string { return "orders" }

type broken struct {
	A string `bson:"a" odm:"index,uniq"`
}

func TestRegisterAndAll(t *testing.T) {
	r := registry.New()
	require.NoError(t, r.Register(order{}))
	require.NoError(t, r.Register(invoice{}, orderView{}))
	// sorted by collection ("invoice" < "orders"), then by type name
	assert.Equal(t, []any{invoice{}, order{}, orderView{}}, r.All())
	assert.Equal(t, 3, r.Len())
}

func TestAllIsStableWhateverTheRegistrationOrder(t *testing.T) {
	a, b := registry.New(), registry.New()
	require.NoError(t, a.Register(orderView{}, invoice{}, order{}))
	require.NoError(t, b.Register(order{}))
	require.NoError(t, b.Register(invoice{}))
	require.NoError(t, b.Register(orderView{}))
	assert.Equal(t, a.All(), b.All())
}

func TestRegisterTwiceIsRefused(t *testing.T) {
	r := registry.New()
	require.NoError(t, r.Register(order{}))
	err := r.Register(&order{})
	assert.ErrorContains(t, err, "registry_test.order is registered twice")
	assert.Equal(t, 1, r.Len())
}

func TestConflictingModelsAreRefused(t *testing.T) {
	r := registry.New()
	require.NoError(t, r.Register(order{}))
	err := r.Register(invoice{}, orderConflict{})
	var verr *schema.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Contains(t, err.Error(), "orderConflict")
	assert.Contains(t, err.Error(), "collection orders")
	assert.Equal(t, []any{order{}}, r.All(), "all or nothing: invoice was not added either")
}

func TestInvalidModelIsRefused(t *testing.T) {
	r := registry.New()
	err := r.Register(broken{})
	var verr *schema.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Contains(t, err.Error(), `unknown option "uniq"`)
	assert.Zero(t, r.Len())
}

func TestMustRegisterPanicsOnError(t *testing.T) {
	r := registry.New()
	r.MustRegister(order{})
	assert.Panics(t, func() { r.MustRegister(order{}) })
}

func TestZeroValueIsUsable(t *testing.T) {
	var r registry.Registry
	require.NoError(t, r.Register(order{}))
	assert.Len(t, r.All(), 1)
}

func TestOneModelInSeveralCollections(t *testing.T) {
	r := registry.New()
	require.NoError(t, r.Register(schema.In("orders_2026", order{}), schema.In("orders_2027", order{})))
	assert.Equal(t, 2, r.Len())
	err := r.Register(schema.In("orders_2026", order{}))
	assert.ErrorContains(t, err, "registered twice (collection orders_2026)")
}

// TestAddKeepsWhatValidateReports: Add never fails nor panics, even on a
// bad tag or a conflict; odm.Validate over All() reports each of them,
// naming the Go type and the tag. A second registration is kept once.
func TestAddKeepsWhatValidateReports(t *testing.T) {
	tests := []struct {
		name   string
		models []any
		want   []string
	}{
		{"a bad tag", []any{order{}, broken{}}, []string{"registry_test.broken", "uniq"}},
		{"a conflict on one collection", []any{order{}, orderConflict{}}, []string{"order_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := registry.New()
			require.NotPanics(t, func() { r.Add(tt.models...) })
			assert.Len(t, r.All(), len(tt.models), "every model is kept as given")
			err := odm.Validate(r.All())
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	r := registry.New()
	r.Add(order{}, invoice{})
	r.Add(order{})
	assert.Len(t, r.All(), 2, "a second registration is kept once")
	require.NoError(t, odm.Validate(r.All()), "valid models added pass")
}
