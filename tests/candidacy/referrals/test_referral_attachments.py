"""Attachments are stored privately, checked by their bytes, and served only to the two sides,
each read logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidacy.referrals import attachments, services
from candidacy.referrals.attachments import ReferralAttachment
from patients.audit.models import AccessEvent

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


def attach(client, referral, name, content, kind="echo"):
    return client.post(
        reverse("referrals:attach", args=[referral.public_id]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    "name, content, served_as",
    [
        ("echo.pdf", PDF, "application/pdf"),
        ("scan.png", PNG, "image/png"),
        ("x.jpg", JPEG, "image/jpeg"),
    ],
)
def test_an_attachment_is_stored_privately_and_served_to_the_centre_with_a_logged_read(
    client_for, referring_clinician, coordinator, referral, private_root, name, content, served_as
):
    assert attach(client_for(referring_clinician), referral, name, content).status_code == 302
    stored = ReferralAttachment.objects.get()
    assert (stored.name, stored.content_type, stored.size) == (name, served_as, len(content))
    assert private_root in (private_root / stored.file.name).parents
    with pytest.raises(ValueError):
        stored.file.url  # noqa: B018 (no public URL exists to leak)

    client = client_for(coordinator)
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    link = reverse("referrals:attachment", args=[referral.public_id, stored.public_id])
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == served_as
    assert b"".join(response.streaming_content) == content
    event = AccessEvent.objects.filter(user=coordinator).first()
    assert event.what == f"Referral attachment: {name}" and event.patient_id == referral.patient_id


@pytest.mark.parametrize(
    "name, content, message",
    [
        # a script renamed .pdf is judged by its bytes
        ("letter.pdf", b"#!/bin/sh\nrm -rf /\n", "letter.pdf is not a PDF, PNG or JPEG file"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_a_wrong_file_is_refused_with_a_clear_message_and_nothing_stored(
    client_for, referring_clinician, referral, private_root, name, content, message
):
    response = attach(client_for(referring_clinician), referral, name, content)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ReferralAttachment.objects.exists()
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


def test_a_file_over_the_limit_is_refused(client_for, settings, referring_clinician, referral):
    settings.CANDIDACY_ATTACHMENT_MAX_MB = 1
    response = attach(
        client_for(referring_clinician), referral, "big.pdf", PDF + b"0" * 1024 * 1024
    )
    assert response.status_code == 400
    assert "big.pdf is 1.0 MB; attachments can be at most 1 MB." in response.content.decode()
    assert not ReferralAttachment.objects.exists()


def test_a_third_centre_cannot_read_an_attachment(
    client_for, referring_clinician, referral, third_clinician
):
    attach(client_for(referring_clinician), referral, "echo.pdf", PDF)
    stored = ReferralAttachment.objects.get()
    url = reverse("referrals:attachment", args=[referral.public_id, stored.public_id])
    assert client_for(third_clinician).get(url).status_code == 404


def test_a_closed_referral_takes_no_more_attachments(client_for, referring_clinician, referral):
    services.referral_withdraw(referral=referral, by=referring_clinician, reason="Moved")
    response = attach(client_for(referring_clinician), referral, "echo.pdf", PDF)
    assert response.status_code == 400
    assert services.CLOSED_NO_ATTACHMENT in response.content.decode()


def test_the_sniffer_takes_only_the_three_types():
    assert [attachments.sniff(head) for head in (PDF, PNG, JPEG, b"GIF89a", b"")] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
        None,
        None,
    ]
