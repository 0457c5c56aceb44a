package diff

// Step is what applying the plan does about one change, under the plan's
// policies.
type Step string

// StepHide: applying the plan hides the undeclared index.
const StepHide Step = "hide"

// StepRebuildOrdered: applying the plan rebuilds the index behind a
// temporary index (create it, drop the listed index, create the declared
// one, drop the temporary one).
const StepRebuildOrdered Step = "rebuild behind a temporary index"

// The steps of search index changes beyond those of regular indexes.
const (
	// StepUpdateSearch: updateSearchIndex, in place.
	StepUpdateSearch Step = "updateSearchIndex"
	// StepSkip: the server lacks search indexes and SkipUnsupported was
	// given.
	StepSkip Step = "skip"
)

// The steps.
const (
	StepNone    Step = "none"
	StepCreate  Step = "create"
	StepCollMod Step = "collMod"
	StepFail    Step = "fail"
	StepRebuild Step = "drop and create"
	StepKeep    Step = "keep"
	StepDrop    Step = "drop"
)
