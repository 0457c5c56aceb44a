package odm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

type typoClause struct {
	A string `bson:"a" odm:"uniqeIndex"`
}
type typoOption struct {
	A string `bson:"a" odm:"index,uniqe"`
}
type typoBareOption struct {
	At time.Time `bson:"at" odm:"ttl=24h,spars"`
}
type typoDirection struct {
	A string `bson:"a" odm:"index:by_a,sort:dsc"`
}
type typoKeyType struct {
	Loc []float64 `bson:"loc" odm:"index,type:2dshpere"`
}
type typoFar struct {
	A string `bson:"a" odm:"index,zzz"`
}

// A misspelt tag is refused with the Go type, the field, the tag and the
// nearest known spelling; a word near nothing gets no guess.
func TestValidateSuggestsTheNearestTagWord(t *testing.T) {
	tests := []struct {
		model any
		want  []string
	}{
		{typoClause{}, []string{"odm_test.typoClause.A", "`odm:\"uniqeIndex\"`", `unknown clause "uniqeIndex"`, "did you mean uniqueIndex?"}},
		{typoOption{}, []string{"odm_test.typoOption.A", "`odm:\"index,uniqe\"`", `unknown option "uniqe"; did you mean unique?`}},
		{typoBareOption{}, []string{"odm_test.typoBareOption.At", "`odm:\"ttl=24h,spars\"`", "did you mean index,ttl:24h,sparse?"}},
		{typoDirection{}, []string{"odm_test.typoDirection.A", "sort:dsc", "did you mean sort:desc?"}},
		{typoKeyType{}, []string{"odm_test.typoKeyType.Loc", "type:2dshpere", "did you mean type:2dsphere?"}},
	}
	for _, tt := range tests {
		err := odm.Validate(tt.model)
		var verr *schema.ValidationError
		require.ErrorAs(t, err, &verr)
		require.Len(t, verr.Problems, 1, "%v", err)
		for _, w := range tt.want {
			assert.Contains(t, verr.Problems[0].String(), w)
		}
		assert.Equal(t, 1, strings.Count(err.Error(), "odm: "), "%v", err)
	}

	err := odm.Validate(typoFar{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown option "zzz"`)
	assert.NotContains(t, err.Error(), "did you mean")
}
