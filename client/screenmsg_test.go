package client

import (
	"bytes"
	"errors"
	"image"
	"testing"
)

func TestScreenMessagesRoundTrip(t *testing.T) {
	shape := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range shape.Pix {
		shape.Pix[i] = byte(i)
	}
	sb, err := encodeCursorShape(shape, image.Pt(2, 1))
	if err != nil {
		t.Fatal(err)
	}
	layout := ScreenLayout{Monitors: []RemoteMonitor{
		{Name: "DP-1", Bounds: image.Rect(0, 0, 1920, 1080), Primary: true},
		{Name: "HDMI-1", Bounds: image.Rect(-1280, -200, 0, 824)},
	}, Selected: 1}
	lb, err := encodeLayout(layout)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		b    []byte
		want screenMsg
	}{
		{"position", encodeCursorPos(image.Pt(-5, 1079), true), screenMsg{kind: msgCursorPos, pos: image.Pt(-5, 1079), visible: true}},
		{"hidden", encodeCursorPos(image.Pt(0, 0), false), screenMsg{kind: msgCursorPos}},
		{"select", encodeSelect(3), screenMsg{kind: msgSelect, selectI: 3}},
	} {
		got, err := decodeScreenMsg(tt.b)
		if err != nil || got.kind != tt.want.kind || got.pos != tt.want.pos || got.visible != tt.want.visible || got.selectI != tt.want.selectI {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	got, err := decodeScreenMsg(sb)
	if err != nil || got.hotspot != image.Pt(2, 1) || !bytes.Equal(got.shape.Pix, shape.Pix) {
		t.Errorf("shape: got %+v, %v", got, err)
	}
	got, err = decodeScreenMsg(lb)
	if err != nil || got.layout.Selected != 1 || len(got.layout.Monitors) != 2 || got.layout.Monitors[1] != layout.Monitors[1] {
		t.Errorf("layout: got %+v, %v; want %+v", got.layout, err, layout)
	}
}

func TestScreenMessagesRefused(t *testing.T) {
	shape := image.NewRGBA(image.Rect(0, 0, 2, 2))
	good, _ := encodeCursorShape(shape, image.Pt(1, 1))
	lb, _ := encodeLayout(ScreenLayout{Monitors: []RemoteMonitor{{Name: "a", Bounds: image.Rect(0, 0, 10, 10)}}})
	for name, b := range map[string][]byte{
		"empty":               nil,
		"unknown kind":        {99},
		"short position":      {msgCursorPos, 0, 0},
		"bad visible flag":    append(encodeCursorPos(image.Pt(1, 1), true)[:9], 7),
		"shape too short":     good[:len(good)-1],
		"shape too long":      append(good, 0),
		"hotspot outside":     {msgCursorShape, 0, 1, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4},
		"huge shape":          {msgCursorShape, 4, 0, 4, 0, 0, 0, 0, 0},
		"layout trailing":     append(lb, 1),
		"layout truncated":    lb[:len(lb)-3],
		"layout selected out": {msgLayout, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 10, 0},
		"select too big":      {msgSelect, 200},
	} {
		if _, err := decodeScreenMsg(b); !errors.Is(err, errScreenMsg) {
			t.Errorf("%s: got %v; want errScreenMsg", name, err)
		}
	}
	if _, err := encodeCursorShape(image.NewRGBA(image.Rect(0, 0, 300, 2)), image.Point{}); err == nil {
		t.Error("a 300 px wide cursor encoded; want an error")
	}
}

// FuzzDecodeScreenMsg: whatever arrives on the screen channel is refused
// or decoded, never a panic, and a decoded layout re-encodes.
func FuzzDecodeScreenMsg(f *testing.F) {
	f.Add(encodeCursorPos(image.Pt(3, 4), true))
	f.Add(encodeSelect(1))
	if b, err := encodeCursorShape(image.NewRGBA(image.Rect(0, 0, 2, 2)), image.Pt(0, 1)); err == nil {
		f.Add(b)
	}
	if b, err := encodeLayout(ScreenLayout{Monitors: []RemoteMonitor{{Name: "x", Bounds: image.Rect(0, 0, 5, 5)}}}); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeScreenMsg(b)
		if err != nil {
			return
		}
		if m.kind == msgLayout {
			if _, err := encodeLayout(m.layout); err != nil && len(m.layout.Monitors) > 0 {
				t.Fatalf("a decoded layout does not encode: %v", err)
			}
		}
	})
}
