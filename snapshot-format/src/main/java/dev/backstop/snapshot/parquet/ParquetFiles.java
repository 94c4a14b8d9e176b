package dev.backstop.snapshot.parquet;

import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.LocalInputFile;

import java.io.IOException;
import java.nio.file.Path;

/** Small helpers over local Parquet files (no Hadoop file system involved). */
public final class ParquetFiles {
    private ParquetFiles() {
    }

    public static long rowCount(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
            return r.getRecordCount();
        }
    }

    static ParquetReader<Group> groupReader(Path file) throws IOException {
        return new ParquetReader.Builder<Group>(new LocalInputFile(file), new PlainParquetConfiguration()) {
            @Override
            protected ReadSupport<Group> getReadSupport() {
                return new GroupReadSupport();
            }
        }.build();
    }
}
