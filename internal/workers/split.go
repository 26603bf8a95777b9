package workers

import "sync/atomic"

// Split hands out the pieces [0, n) of a PartJob so that each participant
// starts on a contiguous share of its own, then takes what is left of the
// others'. The caller is always participant 0, and so always starts on
// the first share; a helper's number is its place among the helpers of
// that Share, the same from one Share to the next when there is one
// helper (two cores) and not always with more. Jobs over the same data
// cut the same way (a weight matrix's gradient, then its update) then
// tend to leave each share in the cache of the core that last worked on
// it: goroutines are not pinned to cores, but a busy one mostly stays on
// its own. Which participant computes a piece never changes what the
// piece computes.
type Split struct {
	shares []share
}

// share is one participant's range; padded to a cache line, so that
// owners taking pieces of their own share do not write to each other's.
type share struct {
	next atomic.Int64
	end  int64
	_    [48]byte
}

// Reset cuts [0, n) into parts contiguous shares. It must not be called
// while participants are taking pieces; it allocates only when parts
// exceeds every earlier call's.
func (s *Split) Reset(n, parts int) {
	if cap(s.shares) < parts {
		s.shares = make([]share, parts)
	}
	s.shares = s.shares[:parts]
	for i := range s.shares {
		s.shares[i].next.Store(int64(i * n / parts))
		s.shares[i].end = int64((i + 1) * n / parts)
	}
}

// Take returns participant p's next piece, and false when none is left.
// cursor, zero at the start of the participant's run, is how many shares
// it has emptied.
func (s *Split) Take(p int, cursor *int) (int, bool) {
	for *cursor < len(s.shares) {
		sh := &s.shares[(p+*cursor)%len(s.shares)]
		if k := sh.next.Add(1) - 1; k < sh.end {
			return int(k), true
		}
		*cursor++
	}
	return 0, false
}
