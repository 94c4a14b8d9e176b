package dev.backstop.snapshot.parquet;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.LocalInputFile;

import java.io.IOException;
import java.nio.file.Path;

/** Small helpers over local Parquet files (no Hadoop file system or Hadoop defaults involved). */
public final class ParquetFiles {
    private ParquetFiles() {
    }

    /**
     * The configuration every reader and writer here uses: an empty Hadoop configuration that does not load Hadoop's
     * XML defaults. Parquet's codecs (Snappy) are Hadoop classes configured with a Hadoop configuration; from any
     * other kind Parquet builds a default one, which parses core-default.xml (~100 KB) again for every file opened,
     * and whose parsing code the JIT then compiles (measured: ~15 ms per file plus compilation in the restore tool).
     * Nothing in our files depends on those defaults.
     */
    public static ParquetConfiguration configuration() {
        return new HadoopParquetConfiguration(new Configuration(false));
    }

    public static long rowCount(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(configuration()).build())) {
            return r.getRecordCount();
        }
    }

    static ParquetReader<Group> groupReader(Path file) throws IOException {
        return new ParquetReader.Builder<Group>(new LocalInputFile(file), configuration()) {
            @Override
            protected ReadSupport<Group> getReadSupport() {
                return new GroupReadSupport();
            }
        }.build();
    }
}
