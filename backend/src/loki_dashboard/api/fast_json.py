"""A JSON response for big answers of plain data, rendered by orjson without a schema pass.

Routes that use it build the data themselves (rows already shaped like their response model),
so a 2,000-card board costs one serialisation instead of ORM objects plus validation.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        # UTC as "Z", as pydantic writes it, so both paths give clients the same text.
        # default=str: asyncpg hands back its own UUID type, which orjson does not know.
        return orjson.dumps(content, default=str, option=orjson.OPT_UTC_Z)
