package org.acme.user;

public record ViewRequest(Long videoId) {
}
