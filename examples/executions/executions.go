// Package executions is a worked repository for the reference service's
// "executions" collection (models.Execution), written with the typed API:
// field references, typed filters, updates and sorts, query values and a
// projection type. It names no field by a string.
package executions

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/tagodm/tagodm/models"
	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/query"
)

// The fields of models.Execution the repository queries.
var (
	ExecutionID = query.F(func(e *models.Execution) *string { return &e.ExecutionID })
	Status      = query.F(func(e *models.Execution) *string { return &e.Status })
	UserID      = query.F(func(e *models.Execution) **string { return &e.UserID })
	CreatedAt   = query.F(func(e *models.Execution) *time.Time { return &e.CreatedAt })
	UpdatedAt   = query.F(func(e *models.Execution) *time.Time { return &e.UpdatedAt })
	Priority    = query.F(func(e *models.Execution) *string { return &e.Priority })
	ExitCode    = query.F(func(e *models.Execution) **int { return &e.ExitCode })
)

// The statuses an execution goes through.
const (
	Queued    = "queued"
	Running   = "running"
	Completed = "completed"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Summary is what a list of executions shows: a projection of
// models.Execution whose fields the repository checks against the model.
type Summary struct {
	ExecutionID string    `bson:"execution_id"`
	Status      string    `bson:"status"`
	CreatedAt   time.Time `bson:"created_at"`
}

// Repository reads and writes executions.
type Repository struct {
	c *odm.Collection[models.Execution]
}

// New binds the repository to db's executions collection.
func New(db *mongo.Database) (*Repository, error) {
	c, err := odm.NewCollection[models.Execution](db)
	if err != nil {
		return nil, err
	}
	return &Repository{c: c}, nil
}

// Create stores a new execution.
func (r *Repository) Create(ctx context.Context, e *models.Execution) error {
	_, err := r.c.InsertOne(ctx, e)
	return err
}

// ByExecutionID returns the execution with the given id, or nil.
func (r *Repository) ByExecutionID(ctx context.Context, id string) (*models.Execution, error) {
	return r.c.Query(query.Eq(ExecutionID, id)).First(ctx)
}

// mine is a user's executions, newest first.
func (r *Repository) mine(userID string) odm.Query[models.Execution] {
	return r.c.Query(query.Eq(UserID, &userID)).Sort(query.SortBy(query.ByDesc(CreatedAt)))
}

// ListForUser is one page of a user's executions, newest first, with the
// total.
func (r *Repository) ListForUser(ctx context.Context, userID string, skip, limit int64) (odm.Page[models.Execution], error) {
	return r.mine(userID).Skip(skip).Limit(limit).Page(ctx)
}

// SummariesForUser is a user's latest executions as summaries.
func (r *Repository) SummariesForUser(ctx context.Context, userID string, limit int64) ([]Summary, error) {
	return odm.Project[Summary](r.mine(userID).Limit(limit)).All(ctx)
}

// ActiveForUser is a user's queued and running executions.
func (r *Repository) ActiveForUser(ctx context.Context, userID string) ([]models.Execution, error) {
	return r.c.Query(query.And(query.Eq(UserID, &userID), query.OneOf(Status, Queued, Running))).All(ctx)
}

// CountByStatus counts the executions in a status.
func (r *Repository) CountByStatus(ctx context.Context, status string) (int64, error) {
	return r.c.Query(query.Eq(Status, status)).Count(ctx)
}

// HasQueued reports whether anything waits at the given priority.
func (r *Repository) HasQueued(ctx context.Context, priority string) (bool, error) {
	return r.c.Query(query.And(query.Eq(Priority, priority), query.Eq(Status, Queued))).Exists(ctx)
}

// StaleRunning is the executions still running that started before t,
// oldest first.
func (r *Repository) StaleRunning(ctx context.Context, before time.Time) ([]models.Execution, error) {
	return r.c.Query(query.And(query.Eq(Status, Running), query.Lt(CreatedAt, before))).
		Sort(query.SortBy(query.By(CreatedAt))).All(ctx)
}

// Finish records an execution's end: its status and exit code.
func (r *Repository) Finish(ctx context.Context, id string, status string, exitCode int, at time.Time) (bool, error) {
	res, err := r.c.UpdateOne(ctx, query.Eq(ExecutionID, id),
		query.Updates(query.Set(Status, status), query.Set(ExitCode, &exitCode), query.Set(UpdatedAt, at)))
	if err != nil {
		return false, err
	}
	return res.MatchedCount > 0, nil
}

// CancelQueued cancels every queued execution of a user.
func (r *Repository) CancelQueued(ctx context.Context, userID string, at time.Time) (int64, error) {
	res, err := r.c.UpdateMany(ctx, query.And(query.Eq(UserID, &userID), query.Eq(Status, Queued)),
		query.Updates(query.Set(Status, Cancelled), query.Set(UpdatedAt, at)))
	if err != nil {
		return 0, err
	}
	return res.ModifiedCount, nil
}
