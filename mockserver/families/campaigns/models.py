"""Campaigns and their messages. The document's descriptions are Klaviyo's words; where they
are silent the mock chooses, and says so.

- A campaign is made with its messages (``attributes.campaign-messages``), linked both ways
  (``campaign.campaign-messages``, ``campaign-message.campaign``): a Draft, not archived, never
  scheduled or sent, with the Immediate send strategy ("Defaults to 'Immediate'"). Its messages
  share one channel (*chosen*), which is the campaign's: ``equals(messages.channel,'email')``.
- Only a draft changes (its attributes, its messages, their template or image; *chosen*: the
  document says nothing). A scheduled or sent campaign cannot be deleted (*chosen*); deleting
  one deletes its messages and their template copies.
- Sending (``campaign-send-jobs``; the job's id is the campaign's, "The ID of the campaign to
  send") takes a draft with an included audience. An immediate campaign, or one whose moment
  has passed, is Sent at once and its job ``complete`` (the mock has no queue); one to be sent
  later is Scheduled, its job ``queued``, until that moment passes on the mock's clock (then
  Sent and ``complete`` when next read). A queued job can be cancelled (the campaign Cancelled)
  or reverted (a Draft again), the job ``cancelled`` either way; a complete or a cancelled job
  cannot be (400, *chosen*).
- The recipient estimation (its id is the campaign's) counts the profiles of the included lists
  and segments that are on no excluded one (*chosen*: consent and suppressions are not
  weighed). It is made with the campaign and refreshed by a job, as the document says ("You
  can refresh this count"), not by later changes (*chosen*).

The rules live in ``rules`` (``Campaigns``), ``messages`` (a message as stored) and ``sources``
(how campaigns, their jobs and their estimate are read); this module registers them.
"""

from __future__ import annotations

from functools import partial

from ...domain.resources import Rules
from ...domain.service import Klaviyo
from .rules import CAMPAIGN
from .rules import COUNT
from .rules import ESTIMATION
from .rules import JOBS
from .rules import Campaigns
from .sources import CampaignPartSource
from .sources import CampaignSource


def install(klaviyo: Klaviyo) -> None:
    registry = klaviyo.registry
    registry.rules[CAMPAIGN] = Rules(
        on_delete=lambda backend, campaign_id: Campaigns(backend).on_delete(campaign_id)
    )
    registry.sources[CAMPAIGN] = CampaignSource
    for kind, key in (*JOBS.items(), (ESTIMATION, COUNT)):
        registry.sources[kind] = partial(CampaignPartSource, kind=kind, key=key)
