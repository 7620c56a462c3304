"""What a crossing plan says (sector, window, signal, escort, head count, the estimates it was
made with) and its bytes, before they are sealed (`plans.py`). A leaf: the models name it."""

import json
from dataclasses import asdict, dataclass
from datetime import datetime


@dataclass(frozen=True)
class Plan:
    sector_id: int
    window_start: datetime
    window_end: datetime
    signal: str
    escort: str
    head_count: int
    survival_uncoordinated: float
    survival_coordinated: float

    def to_bytes(self) -> bytes:
        data = asdict(self)
        data["window_start"] = self.window_start.isoformat()
        data["window_end"] = self.window_end.isoformat()
        return json.dumps(data).encode()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Plan":
        data = json.loads(blob)
        data["window_start"] = datetime.fromisoformat(data["window_start"])
        data["window_end"] = datetime.fromisoformat(data["window_end"])
        return cls(**data)
