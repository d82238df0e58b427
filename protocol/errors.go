package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
)

// ErrBadData is wrapped by every validation error in this package.
var ErrBadData = errors.New("bad data")

// unmarshalStrict decodes JSON into v, refusing unknown fields and trailing data.
func unmarshalStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// UnmarshalStrict decodes one JSON value into v, refusing unknown fields
// and trailing data. Both the server and clients use it for input from the
// network.
func UnmarshalStrict(b []byte, v any) error { return unmarshalStrict(b, v) }
