"""Matching one relative's inquiry against BENCH_PRISONERS (default 100,000) registered
prisoners (issue #24), against one bare blind-index look-up measured in the same run.

The prisoners are bulk-made with names drawn from common Russian surnames and first names,
so that buckets fill as they would (many Ивановы); each has a real tracing copy sealed to the
families key and its indexes computed as registration computes them. Timed:
`matching.candidates` for a mother asking about "Иванова Сергея, 1994" (open and score every
copy behind the inquiry's digests), and the bare look-up of one digest's copy ids. CPU
milliseconds per operation beside the wall time.
"""

import json
import os
import random
import time

SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов "
    "Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов "
    "Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов "
    "Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков "
    "Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов "
    "Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев "
    "Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв "
    "Шевченко Бондаренко Коваленко Ткаченко Кравченко Ковальчук Мельник Шевчук Поляк"
).split()
FIRST_NAMES = (
    "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай "
    "Владимир Денис Павел Роман Олег Игорь Антон Виктор Юрий Илья Кирилл Никита Вадим "
    "Константин Станислав Руслан Виталий Григорий Степан"
).split()


def _prisoners(programme, count: int, families_public: bytes, index_key: bytes) -> None:
    from django.db import transaction
    from django.utils import timezone

    from safepassage.cases.models import Case
    from safepassage.families import matching
    from safepassage.families.models import TracingCopy, TracingIndex
    from safepassage.reception.models import Prisoner
    from safepassage.vault import crypto

    rng = random.Random(24)
    now = timezone.now()
    chunk = 5000
    for first in range(0, count, chunk):
        size = min(chunk, count - first)
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                Case(
                    programme=programme,
                    reference=f"TR{first + n:09d}",
                    state="registered",
                    dossier=b"",
                )
                for n in range(size)
            )
            prisoners = Prisoner.objects.bulk_create(
                Prisoner(case=case, captured_at=now, registered_at=now, particulars=b"")
                for case in cases
            )
            copies, keys = [], []
            for prisoner in prisoners:
                born = f"{rng.randint(1965, 2006)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                copied = {
                    "surname": rng.choice(SURNAMES),
                    "first_names": f"{rng.choice(FIRST_NAMES)} {rng.choice(FIRST_NAMES)}ович",
                    "father_first_name": "",
                    "date_of_birth": born,
                    "place_of_birth": "",
                }
                plain = json.dumps(copied, ensure_ascii=False).encode()
                keys.append(matching._keys_of_prisoner(copied))
                copies.append(
                    TracingCopy(
                        prisoner=prisoner,
                        programme=programme,
                        sealed=crypto.seal(families_public, plain),
                    )
                )
            TracingCopy.objects.bulk_create(copies)
            # As registration indexes each prisoner (families/matching.keep_tracing_copy).
            TracingIndex.objects.bulk_create(
                TracingIndex(
                    copy=copy,
                    programme=programme,
                    kind=kind,
                    digest=matching._digest(index_key, kind, text),
                )
                for copy, of_copy in zip(copies, keys, strict=True)
                for kind, text in of_copy.items()
            )


def run() -> dict:
    from safepassage.families import matching
    from safepassage.families.models import TracingIndex
    from safepassage.programmes.services import create_programme

    count = int(os.environ.get("BENCH_PRISONERS", "100000"))
    programme, keyring = create_programme("tracing-bench", "Tracing bench")
    families = keyring["families"]
    public = bytes(programme.group_keys()["families"].public_key)
    started = time.perf_counter()
    key = matching.index_key(programme, keyring)
    _prisoners(programme, count, public, key)
    prepared = time.perf_counter() - started

    asked = {"surname": "Иванова", "first_name": "Сергей", "born": "1994"}
    digest = matching._digest(key, TracingIndex.Kind.SURNAME, "fnf")

    def match() -> None:
        matching.candidates(programme, asked, families)

    def bare_lookup() -> None:
        list(
            TracingIndex.objects.filter(
                programme=programme, kind=TracingIndex.Kind.SURNAME, digest=digest
            ).values_list("copy_id", flat=True)
        )

    def measure(fn, n: int) -> dict[str, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return {"per_second": n / wall, "ms": 1000 * wall / n, "cpu_ms": 1000 * cpu / n}

    rounds = int(os.environ.get("BENCH_MATCH_ROUNDS", "20"))
    matched, bare = measure(match, rounds), measure(bare_lookup, rounds * 10)
    behind = TracingIndex.objects.filter(programme=programme, digest=digest).count()
    return {
        "registered_prisoners": count,
        "prepared_seconds": round(prepared, 1),
        "copies_behind_the_surname_digest": behind,
        "match_one_inquiry": matched,
        "bare_blind_index_lookup": bare,
        "match_to_bare_lookup_time": matched["ms"] / bare["ms"],
    }
