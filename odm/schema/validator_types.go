package schema

import "go.mongodb.org/mongo-driver/v2/bson"

// Validation levels and actions, as MongoDB names them.
const (
	LevelOff      = "off"
	LevelModerate = "moderate"
	LevelStrict   = "strict"
	ActionWarn    = "warn"
	ActionError   = "error"
)

// Validator is a collection's document validator. A model opts in by
// implementing ValidatorDeclarer.
type Validator struct {
	// Schema is an explicit $jsonSchema. When nil, the schema is generated
	// from the model's struct (GenerateSchema), with the rules of its tags,
	// Required and Rules.
	Schema bson.D
	// Required lists further required fields, by document path.
	Required []string
	// Rules add constraints to generated properties, by document path.
	Rules map[string]Rule
	// Level is the validationLevel: LevelModerate (default), LevelStrict
	// or LevelOff.
	Level string
	// Action is the validationAction: ActionWarn (default) or ActionError.
	Action string
}

// Rule constrains one field of a generated schema.
type Rule struct {
	Enum             []any
	Pattern          string
	Minimum, Maximum *float64
}

// ValidatorDeclarer is implemented by models that want a validator on
// their collection. Validator is called on the zero value of the model.
type ValidatorDeclarer interface {
	Validator() Validator
}
