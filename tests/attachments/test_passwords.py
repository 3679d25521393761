"""Document password policies: strong generated passwords, and honest warnings for the others."""

import math
import re

import pytest

from attachments.api import PASSWORD_BITS, AttachmentError, document_password, generated_password
from attachments.models import AttachmentTemplate, PasswordPolicy
from attachments.passwords import (
    GENERATED_GUESS_SPACE,
    PASSWORD_ALPHABET,
    expression_variables,
    password_guess_space,
)

TOKEN = "z3Yq6c1Jq2a7mXfQw0nB8kR4sT9vL5pH1dE2gU6iO3c"


def test_generated_password_has_at_least_60_bits_in_typeable_groups():
    password = generated_password(TOKEN)

    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", password)
    assert not set(password) & set("01OIL")
    assert PASSWORD_BITS >= 60
    assert math.log2(len(PASSWORD_ALPHABET) ** 16) >= PASSWORD_BITS
    assert GENERATED_GUESS_SPACE >= 2**60


def test_generated_password_is_stable_per_token_and_differs_between_tokens():
    assert generated_password(TOKEN) == generated_password(TOKEN)
    assert generated_password(TOKEN) != generated_password(TOKEN + "x")
    many = {generated_password(f"token-{n}") for n in range(200)}
    assert len(many) == 200


def test_generated_password_depends_on_the_server_key(settings):
    settings.DOCUMENT_PASSWORD_KEY = ""
    from_secret_key = generated_password(TOKEN)
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert generated_password(TOKEN) != from_secret_key

    settings.DOCUMENT_PASSWORD_KEY = "a-dedicated-document-key"
    dedicated = generated_password(TOKEN)
    settings.SECRET_KEY = "yet-another-secret-key"
    assert generated_password(TOKEN) == dedicated
    assert dedicated != from_secret_key


def test_generated_password_needs_a_token():
    with pytest.raises(AttachmentError):
        generated_password("")


def test_document_password_follows_the_policy(context):
    generated = AttachmentTemplate(name="g")
    assert generated.password_policy == PasswordPolicy.GENERATED
    assert document_password(generated, context=context, token=TOKEN) == generated_password(TOKEN)

    bank_style = AttachmentTemplate(
        name="t",
        password_policy=PasswordPolicy.TEMPLATE,
        password_template="  {{ customer.postal_code|cut:' ' }}{{ customer.last_name }}  ",
    )
    assert document_password(bank_style, context=context, token=TOKEN) == "83130Öberg"


def test_template_policy_is_not_html_escaped(context):
    context["customer"]["last_name"] = "O'Brien & Co"
    template = AttachmentTemplate(
        name="t",
        password_policy=PasswordPolicy.TEMPLATE,
        password_template="{{ customer.last_name }}",
    )

    assert document_password(template, context=context, token=TOKEN) == "O'Brien & Co"


def test_template_policy_refuses_an_empty_password(context):
    template = AttachmentTemplate(
        name="t", password_policy=PasswordPolicy.TEMPLATE, password_template="{{ customer.nope }}"
    )

    with pytest.raises(AttachmentError, match="empty"):
        document_password(template, context=context, token=TOKEN)


def test_guess_space_of_bank_style_passwords_is_small():
    postal_and_name = AttachmentTemplate(
        password_policy=PasswordPolicy.TEMPLATE,
        password_template="{{ customer.postal_code|cut:' ' }}{{ customer.last_name|lower }}",
    )
    assert expression_variables(postal_and_name.password_template) == {
        "customer.postal_code",
        "customer.last_name",
    }
    # The name is in the email; only the postal code is unknown.
    assert password_guess_space(postal_and_name) == 100_000

    birth_date = AttachmentTemplate(
        password_policy=PasswordPolicy.TEMPLATE,
        password_template="{{ customer.birth_date|date:'Ymd' }}",
    )
    assert password_guess_space(birth_date) == 36_500

    total_as_text = AttachmentTemplate(
        password_policy=PasswordPolicy.TEMPLATE,
        password_template="{{ order.number }}-{{ order.total_formatted }}",
    )
    assert password_guess_space(total_as_text) == 1  # both are in the email itself

    assert password_guess_space(AttachmentTemplate()) == GENERATED_GUESS_SPACE
