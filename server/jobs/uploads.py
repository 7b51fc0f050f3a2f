"""CSV files uploaded in the admin pages, kept in the database between the upload and
the start of their import (so any bridge instance can show and start them); a day at
most."""

import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from server.database import Database
from server.tables import csv_uploads

KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Upload:
    id: int
    tenant: str
    filename: str
    content: str
    encoding: str


class CsvUploads:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, tenant: str, filename: str, content: str, encoding: str) -> int:
        now = time.time()
        async with self._db.begin() as connection:
            await connection.execute(
                delete(csv_uploads).where(csv_uploads.c.created_at < now - KEEP_SECONDS)
            )
            upload_id: int = (
                await connection.execute(
                    insert(csv_uploads)
                    .values(tenant=tenant, filename=filename, content=content,
                            encoding=encoding, created_at=now)
                    .returning(csv_uploads.c.id)
                )
            ).scalar_one()  # fmt: skip
        return upload_id

    async def get(self, upload_id: int) -> Upload | None:
        query = select(*_COLUMNS).where(csv_uploads.c.id == upload_id)
        async with self._db.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return Upload(**row._mapping) if row else None

    async def take(self, upload_id: int) -> Upload | None:
        """The upload, removed: only one of two clicks on "Start" gets it."""
        async with self._db.begin() as connection:
            row = (
                await connection.execute(
                    delete(csv_uploads).where(csv_uploads.c.id == upload_id).returning(*_COLUMNS)
                )
            ).one_or_none()
        return Upload(**row._mapping) if row else None


_COLUMNS = (
    csv_uploads.c.id,
    csv_uploads.c.tenant,
    csv_uploads.c.filename,
    csv_uploads.c.content,
    csv_uploads.c.encoding,
)
