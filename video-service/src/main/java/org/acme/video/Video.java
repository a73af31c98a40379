package org.acme.video;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

@Entity
@Table(name = "videos", indexes = @Index(columnList = "category, uploadedAt"))
public class Video extends PanacheEntityBase {

    // allocationSize 1: the seeded catalog gets ids 1..300 in order, uploads follow.
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "video_ids")
    @SequenceGenerator(name = "video_ids", sequenceName = "video_ids", allocationSize = 1)
    public Long id;
    public String title;
    public String category;
    public int durationSeconds;
    public long sizeBytes;
    public long uploaderId;
    public Instant uploadedAt;
}
