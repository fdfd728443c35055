"""A small thread-safe LRU map for prepared decoders."""
import threading
from collections import OrderedDict


class LRUCache:
    """Least-recently-used map with at most ``maxsize`` entries (0 disables it).

    All methods hold one lock, so concurrent readers and writers are safe.
    Values are built outside the lock by the caller: two threads missing the
    same key may both build it; the second ``put`` simply wins (values for one
    key are interchangeable)."""

    def __init__(self, maxsize):
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 0:
            raise ValueError(f"cache_size must be an int >= 0, got {maxsize!r}")
        self.maxsize = maxsize
        self._data = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        """The value for key (marking it recently used), or None."""
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key, value):
        """Store value under key, evicting the least recently used entries."""
        if self.maxsize == 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self):
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self):
        with self._lock:
            return len(self._data)
