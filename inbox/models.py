"""What the development capture backend "sent": the emails the dev inbox shows."""

from django.db import models


class CapturedEmail(models.Model):
    """An email the development capture backend 'sent': what the dev inbox shows.

    Attachments are stored exactly as they would have travelled (already encrypted).
    """

    message_id = models.CharField(max_length=64, unique=True)
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table it had when it lived in `messaging`: moving the model kept the data.
        db_table = "messaging_capturedemail"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject or self.message_id


class CapturedAttachment(models.Model):
    """An attachment of a captured email, as the bytes that would have travelled."""

    email = models.ForeignKey(CapturedEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()

    class Meta:
        db_table = "messaging_capturedattachment"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
