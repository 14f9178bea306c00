"""Seed a fresh bench database: residents, one room per client count, a session each.

Run after ``manage.py migrate`` against the bench database (``CAMPUS_VAR_DIR`` or
``DATABASE_URL``), never against a real one:

    python bench/setup_room.py --residents 1000 --rooms 10,100,500 --out /tmp/campus-bench/setup.json

Resident *i* is signed in through a Django session made the way ``login()`` makes one (the keys
``SESSION_KEY``, ``BACKEND_SESSION_KEY``, ``HASH_SESSION_KEY``), so the websocket handshake
authenticates it like a browser.  Every room is a circle made with ``room_create``; the room for
N clients (``subject_key`` ``bench:room:N``) has residents 0…N-1 as members (``room_member_add``),
so each client count starts from an empty room and ``subscribe`` with ``after: null`` catches up
nothing.  The output file holds the room ids and the session keys for the load generator.
"""

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus_social.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402

from campus_social.identity.models import Resident  # noqa: E402
from messaging.services import room_create, room_member_add  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"


def seed(residents: int, room_sizes: list[int]) -> dict[str, object]:
    if Resident.objects.filter(login_name__startswith="bench-").exists():
        raise SystemExit("This database already holds bench residents: start from a fresh one.")
    birth_date = date(1985, 4, 1)
    sessions: list[str] = []
    rooms: dict[str, int] = {}
    with transaction.atomic():
        people = [
            Resident.objects.create_user(
                login_name=f"bench-{i:05d}",
                name=f"Bench Resident {i}",
                given_name=f"Resident {i}",
                birth_date=birth_date,
                language="en",
            )
            for i in range(residents)
        ]
        for size in room_sizes:
            room = room_create(
                kind="circle", subject_key=f"bench:room:{size}", title=f"Bench {size}"
            )
            for person in people[:size]:
                room_member_add(room=room, resident=person)
            rooms[str(size)] = room.pk
        for person in people:
            session = SessionStore()
            session[SESSION_KEY] = str(person.pk)
            session[BACKEND_SESSION_KEY] = BACKEND
            session[HASH_SESSION_KEY] = person.get_session_auth_hash()
            session.create()
            assert session.session_key is not None
            sessions.append(session.session_key)
    return {"rooms": rooms, "sessions": sessions}


def main() -> None:
    parser = argparse.ArgumentParser(description="Seed a fresh bench database.")
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--rooms", default="10,100,500", help="client counts, one room each")
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.rooms.split(",") if size]
    if max(sizes) > arguments.residents:
        raise SystemExit("--residents must be at least the largest room.")
    result = seed(arguments.residents, sizes)
    arguments.out.write_text(json.dumps(result))
    print(f"{arguments.residents} residents, rooms {result['rooms']}, sessions in {arguments.out}")


if __name__ == "__main__":
    main()
