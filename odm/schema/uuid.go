package schema

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// UUID is a UUID stored as BSON binary subtype 4, the standard
// representation, which is how Python's bson package (and so Beanie) writes
// a uuid.UUID. It is the type of a Beanie-style revision field:
//
//	RevisionID odm.UUID `bson:"revision_id" odm:"revision"`
//
// The zero UUID stands for "none": it is stored as null, and null or an
// absent field reads back as the zero UUID.
type UUID [16]byte

// NewUUID returns a random (version 4) UUID.
func NewUUID() UUID {
	var u UUID
	_, _ = rand.Read(u[:]) // never fails (crypto/rand)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// ParseUUID reads a UUID in its canonical text form
// ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx").
func ParseUUID(s string) (UUID, error) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("odm: %q is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	digits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return UUID{}, fmt.Errorf("odm: %q is not a UUID: %w", s, err)
	}
	return u, nil
}

// IsZero reports whether u is the zero UUID (none).
func (u UUID) IsZero() bool { return u == UUID{} }

// String is the canonical text form.
func (u UUID) String() string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// MarshalBSONValue stores u as binary subtype 4, or null when u is zero.
func (u UUID) MarshalBSONValue() (byte, []byte, error) {
	if u.IsZero() {
		return byte(bson.TypeNull), nil, nil
	}
	data := make([]byte, 0, 21)
	data = binary.LittleEndian.AppendUint32(data, 16)
	data = append(data, bson.TypeBinaryUUID)
	return byte(bson.TypeBinary), append(data, u[:]...), nil
}

// UnmarshalBSONValue reads binary subtype 4, and null as zero. The legacy
// subtype 3 is refused: its byte order depends on the driver that wrote it.
func (u *UUID) UnmarshalBSONValue(typ byte, data []byte) error {
	switch bson.Type(typ) {
	case bson.TypeNull, bson.TypeUndefined:
		*u = UUID{}
		return nil
	case bson.TypeBinary:
		if len(data) < 5 || data[4] != bson.TypeBinaryUUID || binary.LittleEndian.Uint32(data) != 16 || len(data) != 21 {
			return fmt.Errorf("odm: a UUID must be BSON binary subtype 4 of 16 bytes, got %d bytes of binary", len(data))
		}
		copy(u[:], data[5:])
		return nil
	}
	return fmt.Errorf("odm: a UUID must be BSON binary subtype 4, got %v", bson.Type(typ))
}

// binary is u as the driver's binary value.
func (u UUID) binary() bson.Binary {
	return bson.Binary{Subtype: bson.TypeBinaryUUID, Data: append([]byte(nil), u[:]...)}
}

// BSONValue is what u is stored as: binary subtype 4, or nil for zero (a
// filter on nil matches null and absent fields alike).
func (u UUID) BSONValue() any {
	if u.IsZero() {
		return nil
	}
	return u.binary()
}

// uuidType is UUID's reflect.Type, which a revision field may have.
var uuidType = reflect.TypeFor[UUID]()
