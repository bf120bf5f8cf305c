#!/usr/bin/env python3
"""Acceptance session: drive a Hubbub server with HubSpot's OFFICIAL Python client.

Requires: pip install 'hubspot-api-client==12.*'

Environment:
  HUBBUB_URL     base URL of the server, e.g. http://127.0.0.1:8080 (a trailing
                 slash is stripped: the client does `host + "/crm/v3/..."`).
  HUBBUB_TOKEN   private-app token (sent as `Authorization: Bearer <token>`).
  HUBBUB_STRICT  "1" (default) turns on the client's `client_side_validation`,
                 so every REQUIRED field / enum of the response models is
                 enforced while deserialising (the client's own default is OFF,
                 which silently turns missing fields into None). "0" disables.
  HUBBUB_SEARCH_WAIT  seconds to keep retrying a search that has not found the
                 object yet (default 0: Hubbub search must be immediately
                 consistent; set e.g. 10 when pointing this at real HubSpot).

Prints "ok: <step>" per step; exits non-zero at the first failure.
Only the public client API is used (no raw HTTP).
"""

import datetime
import os
import sys
import time
import traceback
import uuid

from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealInputForCreate
from hubspot.crm.associations.v4 import AssociationSpec

DEAL_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
]
TICKET_STAGES = ["1", "2", "3", "4"]
DEAL_TO_CONTACT = 3  # HUBSPOT_DEFINED deal -> contact
CONTACT_TO_DEAL = 4  # HUBSPOT_DEFINED contact -> deal


class StepFailed(Exception):
    pass


_current_step = "startup"


def step(name):
    global _current_step
    _current_step = name


def ok(name):
    print("ok: %s" % name, flush=True)


def check(cond, msg, got=None):
    if not cond:
        detail = "" if got is None else "\n    received: %r" % (got,)
        raise StepFailed("[%s] %s%s" % (_current_step, msg, detail))


def is_api_exception(e):
    # Every generated sub-package has its own ApiException class, and 12.x raises
    # subclasses of it (NotFoundException, UnauthorizedException, ServiceException...).
    return hasattr(e, "status") and any(c.__name__ == "ApiException" for c in type(e).__mro__)


def check_object(obj, what, expect_props=None):
    """Common checks for SimplePublicObject(-WithAssociations)."""
    check(obj is not None, "%s: client returned None (wrong HTTP status code for this call?)" % what)
    check(isinstance(obj.id, str) and obj.id, "%s: `id` must be a non-empty string" % what, obj.id)
    check(isinstance(obj.created_at, datetime.datetime), "%s: `createdAt` must be an ISO-8601 datetime string" % what, obj.created_at)
    check(isinstance(obj.updated_at, datetime.datetime), "%s: `updatedAt` must be an ISO-8601 datetime string" % what, obj.updated_at)
    check(isinstance(obj.properties, dict), "%s: `properties` must be an object" % what, obj.properties)
    for k, v in (expect_props or {}).items():
        check(obj.properties.get(k) == v, "%s: property %r should be %r" % (what, k, v), obj.properties)


def main():
    url = os.environ.get("HUBBUB_URL")
    token = os.environ.get("HUBBUB_TOKEN")
    if not url or not token:
        print("HUBBUB_URL and HUBBUB_TOKEN must be set", file=sys.stderr)
        return 2
    url = url.rstrip("/")
    strict = os.environ.get("HUBBUB_STRICT", "1") != "0"
    search_wait = float(os.environ.get("HUBBUB_SEARCH_WAIT", "0"))

    kwargs = {"access_token": token, "host": url}
    if strict:
        kwargs["client_side_validation"] = True
    client = HubSpot(**kwargs)

    run = uuid.uuid4().hex[:10]
    domain = "acc-%s.example.com" % run

    # ------------------------------------------------------------------ contacts
    step("create contact")
    email = "alice.%s@%s" % (run, domain)
    token_ln = "Zq%s" % run  # a unique token inside a multi-word lastname
    lastname = "Acceptance %s" % token_ln
    created = client.crm.contacts.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"email": email, "firstname": "Alice", "lastname": lastname}
        )
    )
    check_object(created, "create response", {"email": email, "firstname": "Alice", "lastname": lastname})
    contact_id = created.id
    ok("create contact (id=%s)" % contact_id)

    step("read contact by id")
    got = client.crm.contacts.basic_api.get_by_id(contact_id)
    check_object(got, "get_by_id (default properties)", {"email": email, "firstname": "Alice", "lastname": lastname})
    check(got.id == contact_id, "id mismatch", got.id)
    ok("read contact by id")

    step("read contact by email (idProperty=email)")
    got = client.crm.contacts.basic_api.get_by_id(email, id_property="email", properties=["email", "firstname", "lastname"])
    check_object(got, "get_by_id(idProperty=email)", {"email": email, "firstname": "Alice"})
    check(got.id == contact_id, "lookup by email returned a different contact id (expected %s)" % contact_id, got.id)
    ok("read contact by email")

    step("update contact")
    upd = client.crm.contacts.basic_api.update(
        contact_id,
        simple_public_object_input=SimplePublicObjectInput(properties={"firstname": "Alicia", "phone": "+1 555 0100"}),
    )
    check_object(upd, "update response", {"firstname": "Alicia", "phone": "+1 555 0100"})
    check(upd.id == contact_id, "update returned another id", upd.id)
    got = client.crm.contacts.basic_api.get_by_id(contact_id, properties=["email", "firstname", "lastname", "phone"])
    check_object(got, "get_by_id after update", {"email": email, "firstname": "Alicia", "lastname": lastname, "phone": "+1 555 0100"})
    check(got.updated_at >= got.created_at, "updatedAt must not be before createdAt", (got.created_at, got.updated_at))
    ok("update contact (firstname, phone) and read back")

    # ------------------------------------------------------------------ search
    def search(filters, label):
        req = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=filters)],
            properties=["email", "firstname", "lastname"],
            limit=10,
        )
        deadline = time.time() + search_wait
        while True:
            res = client.crm.contacts.search_api.do_search(public_object_search_request=req)
            check(res is not None, "%s: client returned None" % label)
            if res.total or time.time() >= deadline:
                return res
            time.sleep(0.5)

    step("search EQ email")
    res = search([Filter(property_name="email", operator="EQ", value=email)], "search EQ email")
    check(res.total == 1, "search EQ email: total should be 1", res.total)
    check([r.id for r in res.results] == [contact_id], "search EQ email: results should be exactly [%s]" % contact_id, [r.id for r in res.results])
    check_object(res.results[0], "search EQ email result", {"email": email, "lastname": lastname})
    ok("search EQ email")

    step("search CONTAINS_TOKEN lastname")
    res = search([Filter(property_name="lastname", operator="CONTAINS_TOKEN", value=token_ln)], "search CONTAINS_TOKEN")
    check(res.total == 1, "search CONTAINS_TOKEN lastname=%r: total should be 1" % token_ln, res.total)
    check([r.id for r in res.results] == [contact_id], "search CONTAINS_TOKEN: results should be exactly [%s]" % contact_id, [r.id for r in res.results])
    ok("search CONTAINS_TOKEN lastname")

    # ------------------------------------------------------------------ paging
    step("create 25 contacts")
    page_ids = set()
    for i in range(25):
        c = client.crm.contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"email": "page%02d.%s@%s" % (i, run, domain), "firstname": "Page%02d" % i, "lastname": "Pager"}
            )
        )
        check_object(c, "create #%d" % i)
        check(c.id not in page_ids and c.id != contact_id, "create returned a duplicate id", c.id)
        page_ids.add(c.id)
    ok("create 25 contacts")

    step("page through contacts (limit=10)")
    seen = {}
    after = None
    pages = 0
    while True:
        kw = {"limit": 10}
        if after is not None:
            kw["after"] = after
        page = client.crm.contacts.basic_api.get_page(**kw)
        pages += 1
        check(page is not None, "get_page returned None (page %d, after=%r)" % (pages, after))
        check(isinstance(page.results, list), "get_page: `results` must be a list", page.results)
        check(len(page.results) <= 10, "get_page(limit=10) returned %d results" % len(page.results))
        for r in page.results:
            check_object(r, "get_page result")
            check(r.id not in seen, "id %s returned twice (pages %s and %d)" % (r.id, seen.get(r.id), pages))
            seen[r.id] = pages
        nxt = page.paging.next if page.paging is not None else None
        if nxt is None:
            break
        check(isinstance(nxt.after, str) and nxt.after, "paging.next.after must be a non-empty string", nxt.after)
        check(nxt.after != after, "paging.next.after did not advance", nxt.after)
        check(len(page.results) > 0, "a page with paging.next must not be empty")
        after = nxt.after
        check(pages < 100000, "paging never ends")
    missing = page_ids - set(seen)
    check(not missing, "paging: %d created contacts never seen" % len(missing), sorted(missing)[:5])
    check(contact_id in seen, "paging: first contact %s never seen" % contact_id)
    ok("page through contacts: %d pages, %d contacts, all 25 seen exactly once" % (pages, len(seen)))

    # ------------------------------------------------------------------ batch
    step("batch create 100 contacts")
    emails = ["batch%03d.%s@%s" % (i, run, domain) for i in range(100)]
    inputs = [
        SimplePublicObjectBatchInputForCreate(
            properties={"email": e, "firstname": "Batch%03d" % i, "lastname": "Batcher"}, associations=[]
        )
        for i, e in enumerate(emails)
    ]
    bres = client.crm.contacts.batch_api.create(
        batch_input_simple_public_object_batch_input_for_create=BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
    )
    check(bres is not None, "batch create returned None (status code must be 201, or 207 with errors)")
    check(bres.status == "COMPLETE", "batch create: status should be COMPLETE", bres.status)
    check(isinstance(bres.started_at, datetime.datetime) and isinstance(bres.completed_at, datetime.datetime),
          "batch create: startedAt/completedAt must be datetimes", (bres.started_at, bres.completed_at))
    check(not getattr(bres, "errors", None), "batch create reported errors", getattr(bres, "errors", None))
    check(len(bres.results) == 100, "batch create: expected 100 results", len(bres.results))
    by_email = {}
    for r in bres.results:
        check_object(r, "batch create result")
        by_email[r.properties.get("email")] = r.id
    check(set(by_email) == set(emails), "batch create: results do not carry the 100 emails sent",
          sorted(set(emails) ^ set(by_email))[:5])
    check(len(set(by_email.values())) == 100, "batch create: ids are not unique")
    ok("batch create 100 contacts")

    step("batch read 100 contacts")
    rres = client.crm.contacts.batch_api.read(
        batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in by_email.values()],
            properties=["email", "firstname"],
            properties_with_history=[],
        )
    )
    check(rres is not None, "batch read returned None (status code must be 200, or 207 with errors)")
    check(rres.status == "COMPLETE", "batch read: status should be COMPLETE", rres.status)
    check(len(rres.results) == 100, "batch read: expected 100 results", len(rres.results))
    read_map = {}
    for r in rres.results:
        check_object(r, "batch read result")
        read_map[r.id] = r.properties.get("email")
    expected = {v: k for k, v in by_email.items()}
    check(read_map == expected, "batch read: id->email mapping differs from what batch create returned",
          [(k, read_map.get(k), v) for k, v in expected.items() if read_map.get(k) != v][:5])
    ok("batch read 100 contacts (ids and emails match)")

    # ------------------------------------------------------------------ pipelines
    step("deal pipelines")
    pl = client.crm.pipelines.pipelines_api.get_all("deals")
    check(pl is not None and isinstance(pl.results, list), "pipelines get_all(deals) returned nothing", pl)
    default = [p for p in pl.results if p.id == "default"]
    check(len(default) == 1, "expected exactly one deal pipeline with id 'default'", [p.id for p in pl.results])
    p = default[0]
    check(isinstance(p.label, str) and p.label, "pipeline label must be a non-empty string", p.label)
    check(isinstance(p.created_at, datetime.datetime) and isinstance(p.updated_at, datetime.datetime),
          "pipeline createdAt/updatedAt must be datetimes", (p.created_at, p.updated_at))
    stages = sorted(p.stages, key=lambda s: s.display_order)
    check([s.id for s in stages] == DEAL_STAGES, "default deal pipeline stages (ordered by displayOrder) wrong", [s.id for s in stages])
    for s in stages:
        check(isinstance(s.label, str) and s.label and isinstance(s.archived, bool),
              "stage %s needs a label and archived bool" % s.id, s)
    ok("deal pipelines: 'default' with the 7 standard stages")

    step("ticket pipelines")
    tl = client.crm.pipelines.pipelines_api.get_all("tickets")
    check(tl is not None and isinstance(tl.results, list), "pipelines get_all(tickets) returned nothing", tl)
    t0 = [p for p in tl.results if p.id == "0"]
    check(len(t0) == 1, "expected exactly one ticket pipeline with id '0'", [p.id for p in tl.results])
    tst = sorted(t0[0].stages, key=lambda s: s.display_order)
    check([s.id for s in tst] == TICKET_STAGES, "ticket pipeline '0' stages (ordered by displayOrder) wrong", [s.id for s in tst])
    ok("ticket pipelines: '0' with stages 1,2,3,4")

    # ------------------------------------------------------------------ deals + associations
    step("create deal")
    dealname = "Acceptance deal %s" % run
    deal = client.crm.deals.basic_api.create(
        simple_public_object_input_for_create=DealInputForCreate(
            properties={"dealname": dealname, "pipeline": "default", "dealstage": "qualifiedtobuy", "amount": "1500"}
        )
    )
    check_object(deal, "deal create response", {"dealname": dealname, "pipeline": "default", "dealstage": "qualifiedtobuy"})
    deal_id = deal.id
    ok("create deal (id=%s) in pipeline default at qualifiedtobuy" % deal_id)

    step("read deal")
    d = client.crm.deals.basic_api.get_by_id(deal_id, properties=["dealname", "dealstage", "pipeline", "amount"])
    check_object(d, "deal get_by_id", {"dealname": dealname, "dealstage": "qualifiedtobuy", "pipeline": "default", "amount": "1500"})
    ok("read deal back with its stage")

    step("associate deal -> contact (v4 create, typeId 3)")
    lab = client.crm.associations.v4.basic_api.create(
        "deals", deal_id, "contacts", contact_id,
        association_spec=[AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=DEAL_TO_CONTACT)],
    )
    check(lab is not None, "v4 create returned None (status code must be 201)")
    check(str(lab.from_object_id) == deal_id and str(lab.to_object_id) == contact_id,
          "v4 create: fromObjectId/toObjectId wrong", (lab.from_object_id, lab.to_object_id))
    check(lab.from_object_type_id == "0-3" and lab.to_object_type_id == "0-1",
          "v4 create: fromObjectTypeId/toObjectTypeId should be '0-3'/'0-1'", (lab.from_object_type_id, lab.to_object_type_id))
    check(isinstance(lab.labels, list), "v4 create: labels must be a list", lab.labels)
    ok("associate deal -> contact (v4 create)")

    step("associate deal -> second contact (v4 create_default)")
    contact2 = by_email[emails[0]]
    dres = client.crm.associations.v4.basic_api.create_default("deals", deal_id, "contacts", contact2)
    check(dres is not None, "v4 create_default returned None (status code must be 200)")
    check(dres.status == "COMPLETE", "create_default: status should be COMPLETE", dres.status)
    check(len(dres.results) >= 1, "create_default: results must contain the created association", dres.results)
    pairs = [(r._from.id, r.to.id, r.association_spec.association_type_id, r.association_spec.association_category) for r in dres.results]
    check((deal_id, contact2, DEAL_TO_CONTACT, "HUBSPOT_DEFINED") in pairs,
          "create_default: expected a result from=%s to=%s typeId=3 HUBSPOT_DEFINED" % (deal_id, contact2), pairs)
    ok("associate deal -> second contact (v4 create_default)")

    step("read associations deal -> contacts")
    ap = client.crm.associations.v4.basic_api.get_page("deals", deal_id, "contacts")
    check(ap is not None and isinstance(ap.results, list), "v4 get_page returned nothing", ap)
    found = {str(r.to_object_id): r for r in ap.results}
    check(set(found) == {contact_id, contact2}, "deal %s should be associated with exactly contacts %s" % (deal_id, [contact_id, contact2]), sorted(found))
    for cid, r in found.items():
        types = [(t.type_id, t.category) for t in r.association_types]
        check((DEAL_TO_CONTACT, "HUBSPOT_DEFINED") in types, "deal->contact %s must carry typeId 3 / HUBSPOT_DEFINED" % cid, types)
    ok("read associations deal -> contacts")

    step("read associations contact -> deals")
    cp = client.crm.associations.v4.basic_api.get_page("contacts", contact_id, "deals")
    check(cp is not None and isinstance(cp.results, list), "v4 get_page (contact side) returned nothing", cp)
    check([str(r.to_object_id) for r in cp.results] == [deal_id], "contact %s should be associated with exactly deal %s" % (contact_id, deal_id),
          [r.to_object_id for r in cp.results])
    types = [(t.type_id, t.category) for t in cp.results[0].association_types]
    check((CONTACT_TO_DEAL, "HUBSPOT_DEFINED") in types, "contact->deal must carry typeId 4 / HUBSPOT_DEFINED", types)
    ok("read associations contact -> deals")

    # ------------------------------------------------------------------ archive
    step("archive contact")
    r = client.crm.contacts.basic_api.archive(contact_id)
    check(r is None, "archive should return no body", r)
    try:
        gone = client.crm.contacts.basic_api.get_by_id(contact_id)
    except Exception as e:  # noqa: BLE001
        if not is_api_exception(e):
            raise
        check(e.status == 404, "reading an archived contact should give HTTP 404", (e.status, e.body))
    else:
        raise StepFailed("[%s] reading archived contact %s should raise ApiException(404) but returned %r" % (_current_step, contact_id, gone))
    ok("archive contact; get_by_id now 404")

    # ------------------------------------------------------------------ owners
    step("owners")
    owners = client.crm.owners.owners_api.get_page()
    check(owners is not None and isinstance(owners.results, list), "owners get_page returned nothing", owners)
    with_email = [o for o in owners.results if o.email]
    check(with_email, "expected at least one owner with an email", owners.results)
    o = with_email[0]
    check(isinstance(o.id, str) and o.id and o.type in ("PERSON", "QUEUE") and isinstance(o.archived, bool),
          "owner needs id (string), type PERSON|QUEUE, archived bool", o)
    ok("owners: %d listed, e.g. %s" % (len(owners.results), o.email))

    print("ALL OK (run %s)" % run)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StepFailed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001
        if is_api_exception(e):
            print("FAIL: [%s] HTTP %s %s\n    body: %s" % (_current_step, e.status, e.reason, e.body), file=sys.stderr)
        else:
            traceback.print_exc()
            print("FAIL: [%s] %s: %s" % (_current_step, type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
