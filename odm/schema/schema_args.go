package schema

// ModelSource is anything that holds models, such as a *registry.Registry:
// given to Init, Plan, Validate or Declared, it stands for its models.
type ModelSource interface {
	All() []any
}
