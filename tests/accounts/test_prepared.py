"""Prepared queries give what their querysets give, by either road: straight on the
driver's cursor, or through Django's when queries are being recorded."""

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from accounts.prepared import Prepared
from conversations.models import Campaign, Idea

pytestmark = pytest.mark.django_db

by_slug = Prepared(lambda slug: Campaign.objects.filter(slug=slug).values_list("pk"))
titles = Prepared(
    lambda *ids: Idea.objects.filter(pk__in=ids).order_by("pk").values_list("title")
)


def test_a_text_argument_is_bound_as_given(make_campaign):
    campaign = make_campaign("open")

    assert by_slug.rows(campaign.slug) == [(campaign.pk,)]
    assert by_slug.rows("no-such-campaign") == []


def test_each_number_of_arguments_gets_its_own_query(make_campaign, make_idea):
    campaign = make_campaign("open")
    ideas = [make_idea(campaign, title=f"Idea {n}") for n in range(3)]

    assert titles.rows(ideas[0].pk) == [("Idea 0",)]
    assert titles.rows(*(i.pk for i in ideas)) == [(f"Idea {n}",) for n in range(3)]
    assert titles.rows(ideas[2].pk, ideas[0].pk) == [("Idea 0",), ("Idea 2",)]


def test_recorded_queries_include_prepared_ones(make_campaign):
    campaign = make_campaign("open")
    with CaptureQueriesContext(connection) as captured:
        assert by_slug.rows(campaign.slug) == [(campaign.pk,)]
    (query,) = captured.captured_queries
    assert "conversations_campaign" in query["sql"]


def test_the_driver_road_refuses_to_run_in_a_broken_transaction(make_campaign):
    make_campaign("open")
    with transaction.atomic():
        connection.needs_rollback = True  # as after an error caught inside atomic
        with pytest.raises(TransactionManagementError):
            by_slug.rows("anything")
        connection.needs_rollback = False


def test_a_list_of_ids_is_one_parameter_whatever_its_length(make_campaign, make_idea):
    from accounts.prepared import Prepared as P

    campaign = make_campaign("open")
    ideas = [make_idea(campaign, title=f"Idea {n}") for n in range(4)]
    query = P(
        lambda ids: (
            Idea.objects.filter(pk__any_of=ids)
            .order_by("pk")
            .values_list("title", flat=True)
        )
    )

    assert query.rows([ideas[3].pk, ideas[1].pk]) == [("Idea 1",), ("Idea 3",)]
    assert query.rows([i.pk for i in ideas] + [ideas[0].pk]) == [
        (f"Idea {n}",) for n in range(4)
    ]
    assert query.rows([]) == []
    assert len(query._compiled) == 1  # one form for every length
    # The same lookup in a plain queryset.
    titles = Idea.objects.filter(pk__any_of=[ideas[2].pk]).values_list(
        "title", flat=True
    )
    assert list(titles) == ["Idea 2"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
)
def test_postgresql_prepares_a_lookup_once_and_plans_it_once(make_campaign):
    campaign = make_campaign("open")
    lookup = Prepared(
        lambda ids: Campaign.objects.filter(pk__any_of=ids).values_list("slug")
    )
    for _ in range(8):
        assert lookup.rows([campaign.pk]) == [(campaign.slug,)]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%"conversations_campaign"."slug"%ANY(%'],
        )
        (generic, custom), *others = cursor.fetchall()
    assert not others
    assert custom == 0 and generic >= 1  # planned once, not at each run
