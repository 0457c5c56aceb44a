package odm

import "github.com/tagodm/tagodm/internal/reflectx"

// ForgetDescriptions drops every cached model and struct description, so
// that the next Validate reads each model afresh: for benchmarks outside
// the package.
func ForgetDescriptions() {
	modelCache.Clear()
	reflectx.Forget()
}
