"""The client address behind trusted reverse proxies."""

from __future__ import annotations

import pytest

from openchance.net import client_address

PROXY = "10.0.0.2"
TRUSTED = ["10.0.0.0/8", "2001:db8:ffff::/48"]


class TestWithoutTrustedPeer:
    def test_without_a_header_the_peer_is_the_client(self) -> None:
        assert client_address("203.0.113.5", None, TRUSTED) == "203.0.113.5"

    def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(self) -> None:
        assert client_address("203.0.113.5", "198.51.100.7", TRUSTED) == "203.0.113.5"

    def test_no_trusted_proxies_means_the_header_is_never_believed(self) -> None:
        assert client_address(PROXY, "198.51.100.7", []) == PROXY

    def test_a_peer_that_is_not_an_ip_address_gives_none(self) -> None:
        assert client_address("testclient", "198.51.100.7", TRUSTED) is None

    def test_no_peer_gives_none(self) -> None:
        assert client_address(None, "198.51.100.7", TRUSTED) is None

    def test_the_peer_is_normalised(self) -> None:
        assert client_address("2001:DB8:0:0::1", None, []) == "2001:db8::1"

    def test_an_ipv6_zone_is_dropped(self) -> None:
        assert client_address("fe80::1%eth0", None, []) == "fe80::1"


class TestBehindTrustedProxies:
    def test_the_address_the_proxy_saw_is_the_client(self) -> None:
        assert client_address(PROXY, "198.51.100.7", TRUSTED) == "198.51.100.7"

    def test_trusted_hops_are_skipped_from_the_right(self) -> None:
        forwarded = "198.51.100.7, 10.1.1.1, 10.2.2.2"

        assert client_address(PROXY, forwarded, TRUSTED) == "198.51.100.7"

    def test_addresses_left_of_the_first_untrusted_one_are_not_believed(self) -> None:
        forwarded = "192.0.2.66, 198.51.100.7, 10.1.1.1"  # the client wrote 192.0.2.66

        assert client_address(PROXY, forwarded, TRUSTED) == "198.51.100.7"

    def test_several_headers_joined_in_order_are_one_list(self) -> None:
        assert client_address(PROXY, "192.0.2.66,198.51.100.7", TRUSTED) == "198.51.100.7"

    def test_an_empty_header_leaves_the_peer(self) -> None:
        assert client_address(PROXY, "", TRUSTED) == PROXY

    def test_when_every_hop_is_trusted_the_leftmost_is_the_client(self) -> None:
        assert client_address(PROXY, "10.9.9.9, 10.1.1.1", TRUSTED) == "10.9.9.9"

    def test_a_proxy_given_as_one_address_is_trusted(self) -> None:
        assert client_address(PROXY, "198.51.100.7", [PROXY]) == "198.51.100.7"

    def test_ipv6_proxies_and_clients_work(self) -> None:
        forwarded = "2001:db8:1::7"

        assert client_address("2001:db8:ffff::2", forwarded, TRUSTED) == "2001:db8:1::7"

    def test_an_ipv4_mapped_peer_is_matched_as_ipv4(self) -> None:
        assert client_address("::ffff:10.0.0.2", "198.51.100.7", TRUSTED) == "198.51.100.7"

    @pytest.mark.parametrize(
        ("entry", "address"),
        [
            ("198.51.100.7:4711", "198.51.100.7"),
            ("[2001:db8:1::7]:4711", "2001:db8:1::7"),
            ("[2001:db8:1::7]", "2001:db8:1::7"),
            (" 198.51.100.7 ", "198.51.100.7"),
        ],
    )
    def test_ports_brackets_and_spaces_are_understood(self, entry: str, address: str) -> None:
        assert client_address(PROXY, entry, TRUSTED) == address


class TestMalformedEntries:
    @pytest.mark.parametrize(
        "entry", ["unknown", "not an address", "198.51.100.300", "[::1", "1.2.3.4:port", "_hidden"]
    )
    def test_a_malformed_entry_is_never_the_answer(self, entry: str) -> None:
        assert client_address(PROXY, entry, TRUSTED) == PROXY

    def test_entries_beyond_a_malformed_one_are_not_believed(self) -> None:
        forwarded = "192.0.2.66, unknown, 10.1.1.1"

        assert client_address(PROXY, forwarded, TRUSTED) == "10.1.1.1"

    def test_a_malformed_entry_left_of_the_client_does_not_matter(self) -> None:
        assert client_address(PROXY, "garbage, 198.51.100.7", TRUSTED) == "198.51.100.7"

    def test_empty_entries_are_skipped(self) -> None:
        assert client_address(PROXY, "198.51.100.7,, ", TRUSTED) == "198.51.100.7"

    def test_a_malformed_trusted_proxy_setting_trusts_nobody(self) -> None:
        assert client_address(PROXY, "198.51.100.7", ["not-a-network"]) == PROXY
