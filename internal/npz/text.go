package npz

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadText reads the string of the text entry e: the code points of its
// '<U<n>' data without the NULs that numpy pads them with at the end, as
// str(np.load(f)[name]) gives them. The error wraps ErrFormat when the
// data is shorter or longer than n code points, holds a value that is not
// a Unicode code point (above U+10FFFF, or a surrogate), or the archive is
// corrupted. Memory grows as the data arrives, never beyond what it holds.
// ReadText panics if e is not a text entry.
func (e *Entry) ReadText() (string, error) {
	if !e.IsText {
		panic(fmt.Sprintf("npz: ReadText: %s is not text", e.file.Name))
	}
	rc, err := e.open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var text []byte
	err = readElems(rc, e.chars, 4, "code points", func(b []byte) error {
		for i := 0; i < len(b); i += 4 {
			c := binary.LittleEndian.Uint32(b[i:])
			if !utf8.ValidRune(rune(c)) { // a c above MaxInt32 makes a negative rune
				return fmt.Errorf("%w: %#x is not a Unicode code point", ErrFormat, c)
			}
			text = utf8.AppendRune(text, rune(c))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("npz: %s: %w", e.file.Name, err)
	}
	return strings.TrimRight(string(text), "\x00"), nil
}

// textNPY returns the .npy file that np.save writes for np.array(s): a 0-d
// array of dtype '<U<n>', n the code points of s, holding them in UTF-32
// little-endian. numpy writes "" as '<U1' holding a NUL, and so does
// textNPY.
func textNPY(s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("text is not valid UTF-8")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return nil, fmt.Errorf("text has a NUL at byte %d", i)
	}
	n := utf8.RuneCountInString(s)
	if n > maxTextChars {
		return nil, fmt.Errorf("text of %d code points is longer than %d", n, maxTextChars)
	}
	buf := preamble("<U"+strconv.Itoa(max(n, 1)), "()")
	for _, c := range s {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(c))
	}
	if n == 0 {
		buf = append(buf, 0, 0, 0, 0)
	}
	return buf, nil
}
