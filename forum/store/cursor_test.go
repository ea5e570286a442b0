package store

import "testing"

// FuzzCursor checks the list cursor on any input: a cursor made from a key
// and an id reads back as them; any text either fails to read or reads as a
// key and id whose own cursor reads back the same.
func FuzzCursor(f *testing.F) {
	f.Add("MTAuMQ", int64(10), int64(1))
	f.Add("", int64(-1), int64(0))
	f.Add("LTEuLTE", int64(1<<62), int64(-1<<63))
	f.Add("eC55", int64(0), int64(9))
	f.Add("MTAuMQ==", int64(0), int64(0))
	f.Add("KzEwLjAx", int64(7), int64(7)) // "+10.01": not the form encodeCursor writes, read all the same
	f.Fuzz(func(t *testing.T, c string, key, id int64) {
		k, i, err := decodeCursor(encodeCursor(key, id))
		if err != nil || k != key || i != id {
			t.Fatalf("cursor of (%d, %d) reads back as (%d, %d), %v", key, id, k, i, err)
		}
		k, i, err = decodeCursor(c)
		if err != nil {
			return
		}
		k2, i2, err := decodeCursor(encodeCursor(k, i))
		if err != nil || k2 != k || i2 != i {
			t.Fatalf("%q reads as (%d, %d), whose cursor reads as (%d, %d), %v", c, k, i, k2, i2, err)
		}
	})
}
