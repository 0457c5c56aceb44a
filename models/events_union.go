package models

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/tagodm/tagodm/odm"
	"github.com/tagodm/tagodm/odm/schema"
)

// Events is the "events" collection as the reference service keeps it:
// each of the 57 event types is a variant, told apart by event_type
// (EventBase's discriminator), and a document of an event type not listed
// here is read as an *UnknownEvent and written back whole. Its indexes
// and validator are EventBase's, which every event type shares. Read it
// with odm.NewUnionCollection(db, models.Events): each document comes
// back as a pointer to its event type.
var Events = odm.NewUnion[DomainEvent](
	odm.Variant[ExecutionRequestedEvent](),
	odm.Variant[ExecutionAcceptedEvent](),
	odm.Variant[ExecutionQueuedEvent](),
	odm.Variant[ExecutionStartedEvent](),
	odm.Variant[ExecutionRunningEvent](),
	odm.Variant[ExecutionCompletedEvent](),
	odm.Variant[ExecutionFailedEvent](),
	odm.Variant[ExecutionTimeoutEvent](),
	odm.Variant[ExecutionCancelledEvent](),
	odm.Variant[PodCreatedEvent](),
	odm.Variant[PodScheduledEvent](),
	odm.Variant[PodRunningEvent](),
	odm.Variant[PodSucceededEvent](),
	odm.Variant[PodFailedEvent](),
	odm.Variant[PodTerminatedEvent](),
	odm.Variant[PodDeletedEvent](),
	odm.Variant[ResultStoredEvent](),
	odm.Variant[ResultFailedEvent](),
	odm.Variant[UserSettingsUpdatedEvent](),
	odm.Variant[UserRegisteredEvent](),
	odm.Variant[UserLoginEvent](),
	odm.Variant[UserLoggedInEvent](),
	odm.Variant[UserLoggedOutEvent](),
	odm.Variant[UserUpdatedEvent](),
	odm.Variant[UserDeletedEvent](),
	odm.Variant[NotificationCreatedEvent](),
	odm.Variant[NotificationSentEvent](),
	odm.Variant[NotificationDeliveredEvent](),
	odm.Variant[NotificationFailedEvent](),
	odm.Variant[NotificationReadEvent](),
	odm.Variant[NotificationAllReadEvent](),
	odm.Variant[NotificationClickedEvent](),
	odm.Variant[NotificationPreferencesUpdatedEvent](),
	odm.Variant[SagaStartedEvent](),
	odm.Variant[SagaCompletedEvent](),
	odm.Variant[SagaFailedEvent](),
	odm.Variant[SagaCancelledEvent](),
	odm.Variant[SagaCompensatingEvent](),
	odm.Variant[SagaCompensatedEvent](),
	odm.Variant[CreatePodCommandEvent](),
	odm.Variant[DeletePodCommandEvent](),
	odm.Variant[AllocateResourcesCommandEvent](),
	odm.Variant[ReleaseResourcesCommandEvent](),
	odm.Variant[ScriptSavedEvent](),
	odm.Variant[ScriptDeletedEvent](),
	odm.Variant[ScriptSharedEvent](),
	odm.Variant[SecurityViolationEvent](),
	odm.Variant[RateLimitExceededEvent](),
	odm.Variant[AuthFailedEvent](),
	odm.Variant[ResourceLimitExceededEvent](),
	odm.Variant[QuotaExceededEvent](),
	odm.Variant[SystemErrorEvent](),
	odm.Variant[ServiceUnhealthyEvent](),
	odm.Variant[ServiceRecoveredEvent](),
	odm.Variant[DLQMessageReceivedEvent](),
	odm.Variant[DLQMessageRetriedEvent](),
	odm.Variant[DLQMessageDiscardedEvent](),
	odm.Fallback[UnknownEvent](),
)

// UnknownEvent is a document of "events" whose event_type names none of
// the 57 event types (one a newer service writes, say): Raw holds it
// whole, and writing it through Events writes exactly Raw back. Changes
// to the EventBase that Base returns are therefore not written.
type UnknownEvent struct {
	odm.Unknown
	base *EventBase
}

// Base decodes the base fields of the document, once, on the first call.
// A field the document lacks, or holds with another BSON type, is left
// zero.
func (e *UnknownEvent) Base() *EventBase {
	if e.base == nil {
		e.base = decodeBase(e.Raw)
	}
	return e.base
}

// decodeBase reads a document's base fields one by one, so that one field
// of an unexpected type leaves only itself zero.
func decodeBase(raw bson.Raw) *EventBase {
	b := new(EventBase)
	elems, _ := raw.Elements()
	for _, el := range elems {
		if one, err := bson.Marshal(bson.D{{Key: el.Key(), Value: el.Value()}}); err == nil {
			// Into a copy: a failed decode may have set a pointer already.
			if next := *b; bson.Unmarshal(one, &next) == nil {
				*b = next
			}
		}
	}
	return b
}

// ArchivedDomainEvent is what the archived event types share: a pointer
// to any Archived[E] of an event type E.
type ArchivedDomainEvent interface {
	// Variant is the event_type value of the archived event's type.
	Variant() string
	// Domain is the archived event itself.
	Domain() DomainEvent
	// Deletion is the archive's own fields, a copy.
	Deletion() EventDeletion
}

// EventDeletion is when, by whom and why an archived event was deleted.
type EventDeletion struct {
	DeletedAt      time.Time `bson:"deleted_at" odm:"index"`
	DeletedBy      *string   `bson:"deleted_by"`
	DeletionReason *string   `bson:"deletion_reason"`
}

// Archived is a deleted event of type E kept in "events_archive": the
// event's fields as it stored them, then the deletion's. E is a named
// field, not an embedded one, so that the events collection's indexes and
// validator (EventBase's methods) do not pass to the archive; the tags of
// E's fields (the event_id and timestamp indexes, the discriminator) do.
type Archived[E any] struct {
	Event         E `bson:",inline"`
	EventDeletion `bson:",inline"`
}

// CollectionName implements odm.CollectionNamer.
func (Archived[E]) CollectionName() string { return "events_archive" }

// Variant is the event_type of E; "" when E declares none, which the
// union refuses.
func (a Archived[E]) Variant() string {
	if v, ok := any(a.Event).(interface{ Variant() string }); ok {
		return v.Variant()
	}
	return ""
}

// Indexes implements odm.IndexDeclarer: event_type is indexed on its own
// only in the archive.
func (Archived[E]) Indexes() []schema.IndexSpec { return archiveIndexes() }

// Domain is the archived event; nil when *E is not a DomainEvent.
func (a *Archived[E]) Domain() DomainEvent {
	d, _ := any(&a.Event).(DomainEvent)
	return d
}

// Deletion is the archive's own fields, a copy.
func (a *Archived[E]) Deletion() EventDeletion { return a.EventDeletion }

// SetDefaults implements odm.Defaulter with the archive's own default,
// deleted_at now; the event is archived as it is.
func (a *Archived[E]) SetDefaults() { orNow(&a.DeletedAt) }

// ArchivedEvents is the "events_archive" collection: each of the 57
// event types archived is a variant, an Archived[E] (or, for the two
// event types with a deleted_by of their own, ArchivedUserDeletedEvent
// and ArchivedScriptDeletedEvent), and a document of an
// event type not listed is read as an *UnknownArchivedEvent and written
// back whole.
var ArchivedEvents = odm.NewUnion[ArchivedDomainEvent](
	odm.Variant[Archived[ExecutionRequestedEvent]](),
	odm.Variant[Archived[ExecutionAcceptedEvent]](),
	odm.Variant[Archived[ExecutionQueuedEvent]](),
	odm.Variant[Archived[ExecutionStartedEvent]](),
	odm.Variant[Archived[ExecutionRunningEvent]](),
	odm.Variant[Archived[ExecutionCompletedEvent]](),
	odm.Variant[Archived[ExecutionFailedEvent]](),
	odm.Variant[Archived[ExecutionTimeoutEvent]](),
	odm.Variant[Archived[ExecutionCancelledEvent]](),
	odm.Variant[Archived[PodCreatedEvent]](),
	odm.Variant[Archived[PodScheduledEvent]](),
	odm.Variant[Archived[PodRunningEvent]](),
	odm.Variant[Archived[PodSucceededEvent]](),
	odm.Variant[Archived[PodFailedEvent]](),
	odm.Variant[Archived[PodTerminatedEvent]](),
	odm.Variant[Archived[PodDeletedEvent]](),
	odm.Variant[Archived[ResultStoredEvent]](),
	odm.Variant[Archived[ResultFailedEvent]](),
	odm.Variant[Archived[UserSettingsUpdatedEvent]](),
	odm.Variant[Archived[UserRegisteredEvent]](),
	odm.Variant[Archived[UserLoginEvent]](),
	odm.Variant[Archived[UserLoggedInEvent]](),
	odm.Variant[Archived[UserLoggedOutEvent]](),
	odm.Variant[Archived[UserUpdatedEvent]](),
	odm.Variant[ArchivedUserDeletedEvent](),
	odm.Variant[Archived[NotificationCreatedEvent]](),
	odm.Variant[Archived[NotificationSentEvent]](),
	odm.Variant[Archived[NotificationDeliveredEvent]](),
	odm.Variant[Archived[NotificationFailedEvent]](),
	odm.Variant[Archived[NotificationReadEvent]](),
	odm.Variant[Archived[NotificationAllReadEvent]](),
	odm.Variant[Archived[NotificationClickedEvent]](),
	odm.Variant[Archived[NotificationPreferencesUpdatedEvent]](),
	odm.Variant[Archived[SagaStartedEvent]](),
	odm.Variant[Archived[SagaCompletedEvent]](),
	odm.Variant[Archived[SagaFailedEvent]](),
	odm.Variant[Archived[SagaCancelledEvent]](),
	odm.Variant[Archived[SagaCompensatingEvent]](),
	odm.Variant[Archived[SagaCompensatedEvent]](),
	odm.Variant[Archived[CreatePodCommandEvent]](),
	odm.Variant[Archived[DeletePodCommandEvent]](),
	odm.Variant[Archived[AllocateResourcesCommandEvent]](),
	odm.Variant[Archived[ReleaseResourcesCommandEvent]](),
	odm.Variant[Archived[ScriptSavedEvent]](),
	odm.Variant[ArchivedScriptDeletedEvent](),
	odm.Variant[Archived[ScriptSharedEvent]](),
	odm.Variant[Archived[SecurityViolationEvent]](),
	odm.Variant[Archived[RateLimitExceededEvent]](),
	odm.Variant[Archived[AuthFailedEvent]](),
	odm.Variant[Archived[ResourceLimitExceededEvent]](),
	odm.Variant[Archived[QuotaExceededEvent]](),
	odm.Variant[Archived[SystemErrorEvent]](),
	odm.Variant[Archived[ServiceUnhealthyEvent]](),
	odm.Variant[Archived[ServiceRecoveredEvent]](),
	odm.Variant[Archived[DLQMessageReceivedEvent]](),
	odm.Variant[Archived[DLQMessageRetriedEvent]](),
	odm.Variant[Archived[DLQMessageDiscardedEvent]](),
	odm.Fallback[UnknownArchivedEvent](),
)

// UnknownArchivedEvent is a document of "events_archive" whose event_type
// names none of the 57 event types. As for UnknownEvent, Raw holds it
// whole and is what is written back: changes to what Domain and Deletion
// return are not written.
type UnknownArchivedEvent struct {
	odm.Unknown
}

// Domain is the archived event, as an *UnknownEvent of the same document.
func (e *UnknownArchivedEvent) Domain() DomainEvent { return &UnknownEvent{Unknown: e.Unknown} }

// Deletion decodes the archive's own fields; a field the document
// lacks, or holds with another BSON type, is left zero.
func (e *UnknownArchivedEvent) Deletion() EventDeletion {
	var d EventDeletion
	for _, key := range []string{"deleted_at", "deleted_by", "deletion_reason"} {
		if v, err := e.Raw.LookupErr(key); err == nil {
			if one, err := bson.Marshal(bson.D{{Key: key, Value: v}}); err == nil {
				if next := d; bson.Unmarshal(one, &next) == nil {
					d = next
				}
			}
		}
	}
	return d
}

// ArchivedUserDeletedEvent is an archived UserDeletedEvent: the event's own deleted_by is the
// archive's deleted_by too (a document has the key once), so it is
// declared once, by the event, where Archived would declare it twice.
type ArchivedUserDeletedEvent struct {
	Event          UserDeletedEvent `bson:",inline"`
	DeletedAt      time.Time        `bson:"deleted_at" odm:"index"`
	DeletionReason *string          `bson:"deletion_reason"`
}

// CollectionName implements odm.CollectionNamer.
func (ArchivedUserDeletedEvent) CollectionName() string { return "events_archive" }

// Variant is the event_type of UserDeletedEvent.
func (a ArchivedUserDeletedEvent) Variant() string { return a.Event.Variant() }

// Indexes implements odm.IndexDeclarer, as Archived does.
func (ArchivedUserDeletedEvent) Indexes() []schema.IndexSpec { return archiveIndexes() }

// Domain is the archived event.
func (a *ArchivedUserDeletedEvent) Domain() DomainEvent { return &a.Event }

// Deletion is the archive's own fields, a copy; DeletedBy is the event's.
func (a *ArchivedUserDeletedEvent) Deletion() EventDeletion {
	return EventDeletion{DeletedAt: a.DeletedAt, DeletedBy: a.Event.DeletedBy, DeletionReason: a.DeletionReason}
}

// SetDefaults implements odm.Defaulter, as Archived does.
func (a *ArchivedUserDeletedEvent) SetDefaults() { orNow(&a.DeletedAt) }

// ArchivedScriptDeletedEvent is an archived ScriptDeletedEvent: the event's own deleted_by is the
// archive's deleted_by too (a document has the key once), so it is
// declared once, by the event, where Archived would declare it twice.
type ArchivedScriptDeletedEvent struct {
	Event          ScriptDeletedEvent `bson:",inline"`
	DeletedAt      time.Time          `bson:"deleted_at" odm:"index"`
	DeletionReason *string            `bson:"deletion_reason"`
}

// CollectionName implements odm.CollectionNamer.
func (ArchivedScriptDeletedEvent) CollectionName() string { return "events_archive" }

// Variant is the event_type of ScriptDeletedEvent.
func (a ArchivedScriptDeletedEvent) Variant() string { return a.Event.Variant() }

// Indexes implements odm.IndexDeclarer, as Archived does.
func (ArchivedScriptDeletedEvent) Indexes() []schema.IndexSpec { return archiveIndexes() }

// Domain is the archived event.
func (a *ArchivedScriptDeletedEvent) Domain() DomainEvent { return &a.Event }

// Deletion is the archive's own fields, a copy; DeletedBy is the event's.
func (a *ArchivedScriptDeletedEvent) Deletion() EventDeletion {
	return EventDeletion{DeletedAt: a.DeletedAt, DeletedBy: a.Event.DeletedBy, DeletionReason: a.DeletionReason}
}

// SetDefaults implements odm.Defaulter, as Archived does.
func (a *ArchivedScriptDeletedEvent) SetDefaults() { orNow(&a.DeletedAt) }
