"""On a 360 px phone, by keyboard, a client reads a message in their inbox and sets how they
are reached (#9): a bad mobile number is refused with the reason and nothing saved; a good
one is kept in E.164 with quiet hours. Screen-reader structure checked on both pages."""

import re
from datetime import time

import pytest
from django.db import transaction
from playwright.sync_api import expect

from openiop.browser import NewPage, a11y_problems, horizontal_overflow, sign_in
from openiop.conftest import World
from openiop.notify.models import Channel, Message, Preference
from openiop.notify.services import notify_send


@pytest.mark.browser
def test_client_reads_the_inbox_and_sets_how_they_are_reached(
    world: World, new_page: NewPage
) -> None:
    with transaction.atomic():
        notify_send(
            user=world.alex.user,
            key="test:inbox:1",
            subject="A reminder from your program",
            body="You have something to finish in the app.",
            channels=[Channel.INAPP],
            link="/me/homework/",
        )
    Message.objects.filter(key="test:inbox:1").update(state="sent")
    phone = new_page("phone")
    sign_in(phone, world.alex)
    phone.goto("/inbox/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Inbox")
    item = phone.get_by_role("heading", name=re.compile("A reminder from your program"))
    expect(item).to_contain_text("Unread")
    assert a11y_problems(phone) == [] and horizontal_overflow(phone) == 0
    phone.get_by_role("button", name="Mark all as read").focus()
    phone.keyboard.press("Enter")
    expect(item).not_to_contain_text("Unread")

    phone.goto("/me/notifications/")
    assert a11y_problems(phone) == [] and horizontal_overflow(phone) == 0
    phone.get_by_label("Text message").focus()
    phone.keyboard.press("Space")
    phone.get_by_label("Mobile number").fill("555")
    phone.get_by_role("button", name="Save").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_text("not a valid phone number")).to_be_visible()
    assert a11y_problems(phone) == [] and horizontal_overflow(phone) == 0
    assert not Preference.objects.filter(user=world.alex.user, sms_on=True).exists()

    phone.get_by_label("Mobile number").fill("(312) 555-0142")
    phone.get_by_label("Quiet from").fill("21:30")
    phone.get_by_label("Quiet until").fill("08:00")
    phone.get_by_role("button", name="Save").focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("status").first).to_be_visible()
    pref = Preference.objects.get(user=world.alex.user)
    assert pref.sms_on and pref.phone == "+13125550142"
    assert (pref.quiet_start, pref.quiet_end) == (time(21, 30), time(8, 0))
